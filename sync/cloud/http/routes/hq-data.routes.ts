import type { hqAnalyticsRoutes } from '../../../protocol/hq-analytics.contract.ts';
import type { hqBranchRoutes } from '../../../protocol/hq-branches.contract.ts';
import type { hqCustomerRoutes } from '../../../protocol/hq-customers.contract.ts';
import type { hqDataRoutes } from '../../../protocol/hq-data.contract.ts';
import { analytics, liveSites, receipts } from '../../use-cases/hq-analytics.ts';
import { verifyAuditChains } from '../../use-cases/audit-verify.ts';
import { listDaySummaries } from '../../use-cases/day-summaries.ts';
import {
  createEnrollToken, getBranch, listBranches, listEnrollTokens, revokeBranch, revokeEnrollToken,
} from '../../use-cases/branches.ts';
import { createCustomer, exportCustomer, forgetCustomer, getCustomer, listCustomers, updateCustomer } from '../../use-cases/hq-customers.ts';
import {
  getTicket, listAuditLogs, listFeedback, listTicketEvents, listTickets, ticketEventsOf,
} from '../../use-cases/hq-data.ts';
import { waitTimes } from '../../use-cases/wait-times.ts';
import { hqCaller } from '../caller.ts';
import type { CloudHandlers } from '../context.ts';
import { toPage } from '../pagination.ts';

const tenantOf = (ctx: Parameters<typeof hqCaller>[0]) => hqCaller(ctx).tenantId;

export const hqCustomerHandlers: CloudHandlers<typeof hqCustomerRoutes> = {
  listCustomers: async (ctx) => toPage(await listCustomers(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  createCustomer: (ctx) => createCustomer(ctx.deps, hqCaller(ctx), ctx.body),
  getCustomer: (ctx) => getCustomer(ctx.deps, tenantOf(ctx), ctx.params.id),
  updateCustomer: (ctx) => updateCustomer(ctx.deps, hqCaller(ctx), ctx.params.id, ctx.body),
  exportCustomer: (ctx) => exportCustomer(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.now),
  deleteCustomer: async (ctx) => {
    await forgetCustomer(ctx.deps, hqCaller(ctx), ctx.params.id);
    return null;
  },
};

export const hqBranchHandlers: CloudHandlers<typeof hqBranchRoutes> = {
  listEnrollTokens: async (ctx) => toPage(await listEnrollTokens(ctx.deps, tenantOf(ctx), ctx.query, ctx.now), ctx),
  createEnrollToken: (ctx) => createEnrollToken(ctx.deps, hqCaller(ctx), ctx.body),
  revokeEnrollToken: (ctx) => revokeEnrollToken(ctx.deps, hqCaller(ctx), ctx.params.id),
  listBranches: async (ctx) => toPage(await listBranches(ctx.deps, tenantOf(ctx), ctx.query, ctx.now), ctx),
  getBranch: (ctx) => getBranch(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.now),
  revokeBranch: (ctx) => revokeBranch(ctx.deps, hqCaller(ctx), ctx.params.id),
};

export const hqDataHandlers: CloudHandlers<typeof hqDataRoutes> = {
  listTickets: async (ctx) => toPage(await listTickets(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  getTicket: (ctx) => getTicket(ctx.deps, tenantOf(ctx), ctx.params.id),
  ticketEventsOf: (ctx) => ticketEventsOf(ctx.deps, tenantOf(ctx), ctx.params.id),
  listTicketEvents: async (ctx) => toPage(await listTicketEvents(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  listFeedback: async (ctx) => toPage(await listFeedback(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  listAuditLogs: async (ctx) => toPage(await listAuditLogs(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  verifyAuditLogs: (ctx) => verifyAuditChains(ctx.deps, tenantOf(ctx), ctx.query.site),
  waitTimes: (ctx) => waitTimes(ctx.deps, tenantOf(ctx), ctx.query, ctx.now),
  listDaySummaries: async (ctx) => toPage(await listDaySummaries(ctx.deps, tenantOf(ctx), ctx.query), ctx),
};

export const hqAnalyticsHandlers: CloudHandlers<typeof hqAnalyticsRoutes> = {
  analytics: (ctx) => analytics(ctx.deps, tenantOf(ctx), ctx.query, ctx.now),
  live: (ctx) => liveSites(ctx.deps, tenantOf(ctx), ctx.query.site, ctx.now),
  receipts: (ctx) => receipts(ctx.deps, tenantOf(ctx), ctx.query, ctx.now),
};
