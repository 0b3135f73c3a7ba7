import type { customerDataRoutes } from '../../contract/customer-data.contract.ts';
import { exportCustomer, listConsents, recordConsent } from '../../use-cases/customer-data.ts';
import type { Handlers } from '../context.ts';
import { callerOf } from './tickets.routes.ts';

export const customerDataHandlers: Handlers<typeof customerDataRoutes> = {
  listConsents: ({ deps, tenant, params }) => listConsents(deps.db, tenant.id, params.id),
  recordConsent: (ctx) => recordConsent({ db: ctx.deps.db, events: ctx.deps.events }, callerOf(ctx), ctx.params.id, ctx.body),
  exportCustomer: ({ deps, tenant, params, now }) => exportCustomer(deps.db, tenant.id, params.id, now),
};
