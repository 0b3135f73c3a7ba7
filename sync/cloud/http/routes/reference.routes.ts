import type {
  hqMemberRoutes, hqQueueRoutes, hqServiceRoutes, hqSiteRoutes, hqTemplateRoutes,
} from '../../../protocol/hq-reference.contract.ts';
import { createMember, deactivateMember, getMember, listMembers, updateMember } from '../../use-cases/members.ts';
import { createQueue, deleteQueue, getQueue, listQueues, updateQueue } from '../../use-cases/queues.ts';
import { createService, deactivateService, getService, listServices, updateService } from '../../use-cases/services.ts';
import { createSite, deleteSite, getSite, listSites, updateSite } from '../../use-cases/sites.ts';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from '../../use-cases/templates.ts';
import { hqCaller } from '../caller.ts';
import type { CloudHandlers } from '../context.ts';
import { toPage } from '../pagination.ts';

/** `ctx.tenant` is set on every tenant route: the pipeline checked membership and the right before. */
const tenantOf = (ctx: Parameters<typeof hqCaller>[0]) => hqCaller(ctx).tenantId;

export const hqSiteHandlers: CloudHandlers<typeof hqSiteRoutes> = {
  listSites: async (ctx) => toPage(await listSites(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  createSite: (ctx) => createSite(ctx.deps, tenantOf(ctx), ctx.body, ctx.now),
  getSite: (ctx) => getSite(ctx.deps, tenantOf(ctx), ctx.params.id),
  updateSite: (ctx) => updateSite(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.body, ctx.now),
  deleteSite: async (ctx) => {
    await deleteSite(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.now);
    return null;
  },
};

export const hqServiceHandlers: CloudHandlers<typeof hqServiceRoutes> = {
  listServices: async (ctx) => toPage(await listServices(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  createService: (ctx) => createService(ctx.deps, tenantOf(ctx), ctx.body, ctx.now),
  getService: (ctx) => getService(ctx.deps, tenantOf(ctx), ctx.params.id),
  updateService: (ctx) => updateService(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.body, ctx.now),
  deleteService: async (ctx) => {
    await deactivateService(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.now);
    return null;
  },
};

export const hqQueueHandlers: CloudHandlers<typeof hqQueueRoutes> = {
  listQueues: async (ctx) => toPage(await listQueues(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  createQueue: (ctx) => createQueue(ctx.deps, tenantOf(ctx), ctx.body, ctx.now),
  getQueue: (ctx) => getQueue(ctx.deps, tenantOf(ctx), ctx.params.id),
  updateQueue: (ctx) => updateQueue(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.body, ctx.now),
  deleteQueue: async (ctx) => {
    await deleteQueue(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.now);
    return null;
  },
  setQueueStatus: (ctx) => updateQueue(ctx.deps, tenantOf(ctx), ctx.params.id, { status: ctx.body.status }, ctx.now),
};

export const hqMemberHandlers: CloudHandlers<typeof hqMemberRoutes> = {
  listMembers: async (ctx) => toPage(await listMembers(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  createMember: (ctx) => createMember(ctx.deps, hqCaller(ctx), ctx.body),
  getMember: (ctx) => getMember(ctx.deps, tenantOf(ctx), ctx.params.id),
  updateMember: (ctx) => updateMember(ctx.deps, hqCaller(ctx), ctx.params.id, ctx.body),
  deleteMember: async (ctx) => {
    await deactivateMember(ctx.deps, hqCaller(ctx), ctx.params.id);
    return null;
  },
};

export const hqTemplateHandlers: CloudHandlers<typeof hqTemplateRoutes> = {
  listTemplates: async (ctx) => toPage(await listTemplates(ctx.deps, tenantOf(ctx), ctx.query), ctx),
  createTemplate: (ctx) => createTemplate(ctx.deps, tenantOf(ctx), ctx.body, ctx.now),
  getTemplate: (ctx) => getTemplate(ctx.deps, tenantOf(ctx), ctx.params.id),
  updateTemplate: (ctx) => updateTemplate(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.body, ctx.now),
  deleteTemplate: async (ctx) => {
    await deleteTemplate(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.now);
    return null;
  },
};
