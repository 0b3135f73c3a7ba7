import { z } from 'zod';
import { IsoDateTime, NoContent, PageQuery, paginated, Slug, TenantIdParams, TenantParams, Text } from './common.ts';
import { Phone, QueryBool, QuerySearch, TimeZone } from './fields.ts';
import { defineRoutes, scope } from './route.ts';

export const SiteDto = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  address: z.string(),
  city: z.string(),
  country: z.string(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  timezone: z.string(),
  phone: z.string(),
  is_active: z.boolean(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type SiteDto = z.infer<typeof SiteDto>;

const siteFields = {
  name: Text(120).min(1),
  slug: Slug,
  address: Text(300),
  city: Text(120),
  country: Text(64),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  timezone: TimeZone,
  phone: Phone.or(z.literal('')),
  is_active: z.boolean(),
};

export const CreateSiteBody = z.object({
  ...siteFields,
  slug: siteFields.slug.optional().describe('derived from the name when absent'),
  address: siteFields.address.default(''),
  city: siteFields.city.default(''),
  country: siteFields.country.default(''),
  latitude: siteFields.latitude.default(null),
  longitude: siteFields.longitude.default(null),
  timezone: siteFields.timezone.optional().describe("the tenant's time zone when absent"),
  phone: siteFields.phone.default(''),
  is_active: siteFields.is_active.default(true),
}).strict();

export const UpdateSiteBody = z.object(siteFields).partial().strict();

export const SiteListQuery = PageQuery.extend({
  is_active: QueryBool.optional(),
  search: QuerySearch.optional(),
}).strict();

export const siteRoutes = defineRoutes({
  listSites: {
    method: 'get', path: '/api/v1/tenants/:slug/sites/', tag: 'sites', access: scope('read:queue'),
    summary: 'List the branches (sites) of the tenant, by name (filters: is_active, search)',
    params: TenantParams, query: SiteListQuery, response: paginated(SiteDto),
  },
  createSite: {
    method: 'post', path: '/api/v1/tenants/:slug/sites/', tag: 'sites', access: scope('manage:settings'), hqOwned: true, status: 201,
    summary: 'Create a site (its time zone decides when ticket numbers reset)',
    params: TenantParams, body: CreateSiteBody, response: SiteDto,
  },
  getSite: {
    method: 'get', path: '/api/v1/tenants/:slug/sites/:id/', tag: 'sites', access: scope('read:queue'),
    summary: 'One site', params: TenantIdParams, response: SiteDto,
  },
  updateSite: {
    method: 'patch', path: '/api/v1/tenants/:slug/sites/:id/', tag: 'sites', access: scope('manage:settings'), hqOwned: true,
    summary: 'Change a site', params: TenantIdParams, body: UpdateSiteBody, response: SiteDto,
  },
  deleteSite: {
    method: 'delete', path: '/api/v1/tenants/:slug/sites/:id/', tag: 'sites', access: scope('manage:settings'), hqOwned: true, status: 204,
    summary: 'Delete a site that nothing uses yet (409 while queues, devices or appointments refer to it)',
    params: TenantIdParams, response: NoContent,
  },
});
