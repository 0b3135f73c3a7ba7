import { z } from 'zod';
import {
  IsoDateTime, NoContent, NullableIso, PageQuery, paginated, QueueAlgorithm, QueueStatus, TenantIdParams, TenantParams, Text, Uuid,
} from '../../branch-server/contract/common.ts';
import { QueryBool, QuerySearch } from '../../branch-server/contract/fields.ts';
import {
  CreateTemplateBody, TemplateDto, TemplateListQuery, UpdateTemplateBody,
} from '../../branch-server/contract/notifications.contract.ts';
import { CreateQueueBody, UpdateQueueBody } from '../../branch-server/contract/queues.contract.ts';
import { CreateServiceBody, ServiceDto, ServiceListQuery, UpdateServiceBody } from '../../branch-server/contract/services.contract.ts';
import { CreateSiteBody, SiteDto, SiteListQuery, UpdateSiteBody } from '../../branch-server/contract/sites.contract.ts';
import { defineCloudRoutes, tenantNeeds } from './cloud-route.ts';
import { HqRole } from './hq-auth.contract.ts';

/**
 * HQ management of the reference data branches run on: the branch's v1 paths, bodies and shapes,
 * with HQ rights (read, manage, admin) in place of the branch's scopes. Every change lands in the
 * tenant's change feed in its own transaction.
 */

/** The branch's queue, without what only a branch knows live (ETA); waiting_count is as last uploaded. */
export const HqQueueDto = z.object({
  id: z.string(),
  site: z.string(),
  site_name: z.string(),
  service: z.string(),
  service_name: z.string(),
  name: z.string(),
  prefix: z.string(),
  algorithm: QueueAlgorithm,
  status: QueueStatus,
  weight: z.number().int(),
  max_capacity: z.number().int().describe('0 = unlimited'),
  waiting_count: z.number().int().describe('tickets waiting as last uploaded by the branch'),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type HqQueueDto = z.infer<typeof HqQueueDto>;

export const HqQueueListQuery = PageQuery.extend({
  site: Uuid.optional(),
  service: Uuid.optional(),
  status: QueueStatus.optional(),
  algorithm: QueueAlgorithm.optional(),
  search: QuerySearch.optional(),
}).strict();

/** A member is their user id, as on the branch. Counter and agent status live at the branch only. */
export const HqMemberDto = z.object({
  id: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  role: HqRole,
  is_active: z.boolean().describe('membership of this tenant'),
  queue_ids: z.array(z.string()).describe('queues this member serves as an agent (skills)'),
  last_login_at: NullableIso.describe('last sign-in at HQ'),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type HqMemberDto = z.infer<typeof HqMemberDto>;

const QueueIds = z.array(Uuid).max(100).transform((ids) => [...new Set(ids)]);
const Name = Text(80);

export const CreateHqMemberBody = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address').max(254)),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
  first_name: Name.default(''),
  last_name: Name.default(''),
  role: HqRole,
  queue_ids: QueueIds.optional(),
}).strict();

export const UpdateHqMemberBody = z.object({
  first_name: Name,
  last_name: Name,
  role: HqRole,
  is_active: z.boolean(),
  queue_ids: QueueIds,
}).partial().strict();

export const HqMemberListQuery = PageQuery.extend({
  role: HqRole.optional(),
  is_active: QueryBool.optional(),
  queue: Uuid.optional(),
  search: QuerySearch.optional(),
}).strict();

const READ = tenantNeeds('read');
const MANAGE = tenantNeeds('manage');
const ADMIN = tenantNeeds('admin');

export const hqSiteRoutes = defineCloudRoutes({
  listSites: {
    method: 'get', path: '/api/v1/tenants/:slug/sites/', tag: 'sites', access: READ,
    summary: 'The branches (sites) of the tenant, by name (filters: is_active, search)',
    params: TenantParams, query: SiteListQuery, response: paginated(SiteDto),
  },
  createSite: {
    method: 'post', path: '/api/v1/tenants/:slug/sites/', tag: 'sites', access: ADMIN, status: 201,
    summary: 'Create a site', params: TenantParams, body: CreateSiteBody, response: SiteDto,
  },
  getSite: {
    method: 'get', path: '/api/v1/tenants/:slug/sites/:id/', tag: 'sites', access: READ,
    summary: 'One site', params: TenantIdParams, response: SiteDto,
  },
  updateSite: {
    method: 'patch', path: '/api/v1/tenants/:slug/sites/:id/', tag: 'sites', access: ADMIN,
    summary: 'Change a site', params: TenantIdParams, body: UpdateSiteBody, response: SiteDto,
  },
  deleteSite: {
    method: 'delete', path: '/api/v1/tenants/:slug/sites/:id/', tag: 'sites', access: ADMIN, status: 204,
    summary: 'Delete a site nothing uses (409 while queues, branches, enrollment tokens or tickets refer to it)',
    params: TenantIdParams, response: NoContent,
  },
});

export const hqServiceRoutes = defineCloudRoutes({
  listServices: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/services/', tag: 'services', access: READ,
    summary: 'Services by name (filters: is_active, search)', params: TenantParams, query: ServiceListQuery, response: paginated(ServiceDto),
  },
  createService: {
    method: 'post', path: '/api/v1/tenants/:slug/queues/services/', tag: 'services', access: MANAGE, status: 201,
    summary: 'Create a service', params: TenantParams, body: CreateServiceBody, response: ServiceDto,
  },
  getService: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/services/:id/', tag: 'services', access: READ,
    summary: 'One service', params: TenantIdParams, response: ServiceDto,
  },
  updateService: {
    method: 'patch', path: '/api/v1/tenants/:slug/queues/services/:id/', tag: 'services', access: MANAGE,
    summary: 'Change a service', params: TenantIdParams, body: UpdateServiceBody, response: ServiceDto,
  },
  deleteService: {
    method: 'delete', path: '/api/v1/tenants/:slug/queues/services/:id/', tag: 'services', access: MANAGE, status: 204,
    summary: 'Deactivate a service (is_active = false): its queues and their history stay',
    params: TenantIdParams, response: NoContent,
  },
});

export const hqQueueRoutes = defineCloudRoutes({
  listQueues: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/', tag: 'queues', access: READ,
    summary: 'Queues (filters: site, service, status, algorithm, search)', params: TenantParams, query: HqQueueListQuery,
    response: paginated(HqQueueDto),
  },
  createQueue: {
    method: 'post', path: '/api/v1/tenants/:slug/queues/', tag: 'queues', access: MANAGE, status: 201,
    summary: "Create a queue of a site for a service; its prefix is unique among the site's queues",
    params: TenantParams, body: CreateQueueBody, response: HqQueueDto,
  },
  getQueue: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/:id/', tag: 'queues', access: READ,
    summary: 'One queue', params: TenantIdParams, response: HqQueueDto,
  },
  updateQueue: {
    method: 'patch', path: '/api/v1/tenants/:slug/queues/:id/', tag: 'queues', access: MANAGE,
    summary: 'Change a queue (not its site)', params: TenantIdParams, body: UpdateQueueBody, response: HqQueueDto,
  },
  deleteQueue: {
    method: 'delete', path: '/api/v1/tenants/:slug/queues/:id/', tag: 'queues', access: MANAGE, status: 204,
    summary: 'Delete a queue no branch can have used: 409 once its site has an enrolled branch or tickets name it (close it instead)',
    params: TenantIdParams, response: NoContent,
  },
  setQueueStatus: {
    method: 'post', path: '/api/v1/tenants/:slug/queues/:id/set_status/', tag: 'queues', access: MANAGE,
    summary: 'Open, pause or close a queue', params: TenantIdParams, body: z.object({ status: QueueStatus }).strict(), response: HqQueueDto,
  },
});

export const hqMemberRoutes = defineCloudRoutes({
  listMembers: {
    method: 'get', path: '/api/v1/tenants/:slug/members/', tag: 'members', access: READ,
    summary: 'The staff of the tenant (filters: role, is_active, queue, search)', params: TenantParams, query: HqMemberListQuery,
    response: paginated(HqMemberDto),
  },
  createMember: {
    method: 'post', path: '/api/v1/tenants/:slug/members/', tag: 'members', access: MANAGE, status: 201,
    summary: 'Add a staff member: the user (argon2id hash, which travels to branches so agents sign in offline), the membership and skills (queue_ids). Creating an admin needs the admin right',
    params: TenantParams, body: CreateHqMemberBody, response: HqMemberDto,
  },
  getMember: {
    method: 'get', path: '/api/v1/tenants/:slug/members/:id/', tag: 'members', access: READ,
    summary: 'One staff member (by user id)', params: TenantIdParams, response: HqMemberDto,
  },
  updateMember: {
    method: 'patch', path: '/api/v1/tenants/:slug/members/:id/', tag: 'members', access: MANAGE,
    summary: 'Change role, activity, skills or names. Only admins grant or change the admin role; the last active admin stays',
    params: TenantIdParams, body: UpdateHqMemberBody, response: HqMemberDto,
  },
  deleteMember: {
    method: 'delete', path: '/api/v1/tenants/:slug/members/:id/', tag: 'members', access: MANAGE, status: 204,
    summary: 'Deactivate a membership (history keeps the person); their HQ sessions end unless they belong to another tenant',
    params: TenantIdParams, response: NoContent,
  },
});

export const hqTemplateRoutes = defineCloudRoutes({
  listTemplates: {
    method: 'get', path: '/api/v1/tenants/:slug/notifications/templates/', tag: 'notifications', access: READ,
    summary: 'Message templates (filters: key, channel, language)', params: TenantParams, query: TemplateListQuery, response: paginated(TemplateDto),
  },
  createTemplate: {
    method: 'post', path: '/api/v1/tenants/:slug/notifications/templates/', tag: 'notifications', access: ADMIN, status: 201,
    summary: 'Add a template; one per (key, channel, language); only known {{variables}} (400 names the unknown ones)',
    params: TenantParams, body: CreateTemplateBody, response: TemplateDto,
  },
  getTemplate: {
    method: 'get', path: '/api/v1/tenants/:slug/notifications/templates/:id/', tag: 'notifications', access: READ,
    summary: 'One template', params: TenantIdParams, response: TemplateDto,
  },
  updateTemplate: {
    method: 'patch', path: '/api/v1/tenants/:slug/notifications/templates/:id/', tag: 'notifications', access: ADMIN,
    summary: 'Change a template', params: TenantIdParams, body: UpdateTemplateBody, response: TemplateDto,
  },
  deleteTemplate: {
    method: 'delete', path: '/api/v1/tenants/:slug/notifications/templates/:id/', tag: 'notifications', access: ADMIN, status: 204,
    summary: 'Remove a template (branches drop it too)', params: TenantIdParams, response: NoContent,
  },
});
