import { z } from 'zod';
import { IsoDateTime, PageQuery, paginated, Slug, TenantParams, Text } from '../../branch-server/contract/common.ts';
import { QueryBool, QuerySearch, TimeZone } from '../../branch-server/contract/fields.ts';
import { defineCloudRoutes, SUPER, tenantNeeds } from './cloud-route.ts';

export const TenantDto = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  plan: z.string(),
  locale: z.string(),
  timezone: z.string(),
  data_retention_days: z.number().int(),
  is_active: z.boolean().describe('false = suspended: members and branches are refused'),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type TenantDto = z.infer<typeof TenantDto>;

const Locale = z.enum(['fr', 'en', 'ar']);
const Plan = Text(40).min(1);
const Retention = z.number().int().min(1).max(3650);

export const CreateTenantBody = z.object({
  name: Text(120).min(1),
  slug: Slug,
  plan: Plan.default('standard'),
  locale: Locale.default('fr'),
  timezone: TimeZone.default('Africa/Dakar'),
  admin_email: z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address').max(254)),
  admin_password: z.string().min(8, 'must be at least 8 characters').max(256),
  with_demo_data: z.boolean().default(false).describe('a site "Dakar Plateau" with three services, their queues and two SMS templates'),
}).strict();

export const UpdateTenantBody = z.object({
  name: Text(120).min(1),
  plan: Plan,
  locale: Locale,
  timezone: TimeZone,
  data_retention_days: Retention,
  is_active: z.boolean(),
}).partial().strict();

export const TenantListQuery = PageQuery.extend({
  is_active: QueryBool.optional(),
  search: QuerySearch.optional(),
}).strict();

export const hqTenantRoutes = defineCloudRoutes({
  listTenants: {
    method: 'get', path: '/api/v1/tenants/', tag: 'tenants', access: SUPER,
    summary: 'Every tenant of the platform, by name (super-admin; filters: is_active, search)',
    query: TenantListQuery, response: paginated(TenantDto),
  },
  createTenant: {
    method: 'post', path: '/api/v1/tenants/', tag: 'tenants', access: SUPER, status: 201,
    summary: 'Create a tenant with its first admin (an existing user of that e-mail keeps their password)',
    body: CreateTenantBody, response: TenantDto,
  },
  getTenant: {
    method: 'get', path: '/api/v1/tenants/:slug/', tag: 'tenants', access: tenantNeeds('read'),
    summary: 'One tenant (its members and super-admins)', params: TenantParams, response: TenantDto,
  },
  updateTenant: {
    method: 'patch', path: '/api/v1/tenants/:slug/', tag: 'tenants', access: SUPER,
    summary: 'Change or suspend a tenant (is_active = false); branches get the change through the feed',
    params: TenantParams, body: UpdateTenantBody, response: TenantDto,
  },
});
