import { z } from 'zod';
import { IsoDateTime, NoContent, PageQuery, paginated, TenantIdParams, TenantParams, Text } from './common.ts';
import { JsonObject, QueryBool, QuerySearch } from './fields.ts';
import { defineRoutes, scope } from './route.ts';

export const ServiceDto = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string(),
  description: z.string(),
  sla_seconds: z.number().int().describe('target wait before a call; 0 = no SLA'),
  priority_rules: z.record(z.string(), z.unknown()),
  default_service_seconds: z.number().int().describe('service time assumed for ETAs until the queue has history'),
  is_active: z.boolean(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type ServiceDto = z.infer<typeof ServiceDto>;

const serviceFields = {
  name: Text(120).min(1),
  code: Text(16).regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, - and _ only'),
  description: Text(1000),
  sla_seconds: z.number().int().min(0).max(86_400),
  priority_rules: JsonObject(4096),
  default_service_seconds: z.number().int().min(1).max(86_400),
  is_active: z.boolean(),
};

export const CreateServiceBody = z.object({
  ...serviceFields,
  code: serviceFields.code.default(''),
  description: serviceFields.description.default(''),
  sla_seconds: serviceFields.sla_seconds.default(0),
  priority_rules: serviceFields.priority_rules.default({}),
  default_service_seconds: serviceFields.default_service_seconds.default(300),
  is_active: serviceFields.is_active.default(true),
}).strict();

export const UpdateServiceBody = z.object(serviceFields).partial().strict();

export const ServiceListQuery = PageQuery.extend({
  is_active: QueryBool.optional(),
  search: QuerySearch.optional(),
}).strict();

export const serviceRoutes = defineRoutes({
  listServices: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/services/', tag: 'services', access: scope('read:queue', 'list-services'),
    summary: 'List services by name (filters: is_active, search); kiosks and displays see active services only',
    params: TenantParams, query: ServiceListQuery, response: paginated(ServiceDto),
  },
  createService: {
    method: 'post', path: '/api/v1/tenants/:slug/queues/services/', tag: 'services', access: scope('manage:queue'), hqOwned: true, status: 201,
    summary: 'Create a service (SLA, default service time, priority rules)',
    params: TenantParams, body: CreateServiceBody, response: ServiceDto,
  },
  getService: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/services/:id/', tag: 'services', access: scope('read:queue', 'list-services'),
    summary: 'One service', params: TenantIdParams, response: ServiceDto,
  },
  updateService: {
    method: 'patch', path: '/api/v1/tenants/:slug/queues/services/:id/', tag: 'services', access: scope('manage:queue'), hqOwned: true,
    summary: 'Change a service', params: TenantIdParams, body: UpdateServiceBody, response: ServiceDto,
  },
  deleteService: {
    method: 'delete', path: '/api/v1/tenants/:slug/queues/services/:id/', tag: 'services', access: scope('manage:queue'), hqOwned: true, status: 204,
    summary: 'Deactivate a service (is_active = false): its queues and their history stay',
    params: TenantIdParams, response: NoContent,
  },
});
