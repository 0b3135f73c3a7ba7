import { z } from 'zod';
import { IsoDateTime, Language, NoContent, PageQuery, paginated, TenantIdParams, TenantParams, Text } from './common.ts';
import { JsonObject, Phone, QueryList, QuerySearch, Tags } from './fields.ts';
import { defineRoutes, scope } from './route.ts';

export const CustomerDto = z.object({
  id: z.string(),
  external_ref: z.string().nullable(),
  first_name: z.string(),
  last_name: z.string(),
  phone: z.string(),
  email: z.string(),
  language: Language,
  notify_sms: z.boolean(),
  notify_email: z.boolean(),
  notify_whatsapp: z.boolean(),
  consents: z.record(z.string(), z.unknown()).describe('GDPR consents, e.g. {"sms": true, "marketing": false}'),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type CustomerDto = z.infer<typeof CustomerDto>;

const customerFields = {
  external_ref: Text(120).min(1).nullable(),
  first_name: Text(80),
  last_name: Text(80),
  phone: Phone.or(z.literal('')),
  email: z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address').max(254)).or(z.literal('')),
  language: Language,
  notify_sms: z.boolean(),
  notify_email: z.boolean(),
  notify_whatsapp: z.boolean(),
  consents: JsonObject(4096),
  tags: Tags,
  metadata: JsonObject(8192),
};

const identifies = (c: { first_name?: string; last_name?: string; phone?: string; email?: string; external_ref?: string | null }) =>
  Boolean(c.first_name || c.last_name || c.phone || c.email || c.external_ref);

export const CreateCustomerBody = z.object({
  external_ref: customerFields.external_ref.default(null),
  first_name: customerFields.first_name.default(''),
  last_name: customerFields.last_name.default(''),
  phone: customerFields.phone.default(''),
  email: customerFields.email.default(''),
  language: customerFields.language.default('fr'),
  notify_sms: customerFields.notify_sms.default(false),
  notify_email: customerFields.notify_email.default(false),
  notify_whatsapp: customerFields.notify_whatsapp.default(false),
  consents: customerFields.consents.default({}),
  tags: customerFields.tags.default([]),
  metadata: customerFields.metadata.default({}),
}).strict().refine(identifies, { message: 'give at least a name, a phone, an e-mail or an external_ref', path: ['(body)'] });

export const UpdateCustomerBody = z.object(customerFields).partial().strict();

export const CustomerListQuery = PageQuery.extend({
  phone: z.string().trim().min(1).max(30).optional(),
  email: z.string().trim().toLowerCase().min(1).max(254).optional(),
  external_ref: z.string().trim().min(1).max(120).optional(),
  search: QuerySearch.optional().describe('substring of the name, phone or e-mail'),
  tags: QueryList.optional().describe('customers having every listed tag (comma-separated)'),
}).strict();

export const customerRoutes = defineRoutes({
  listCustomers: {
    method: 'get', path: '/api/v1/tenants/:slug/customers/', tag: 'customers', access: scope('read:customer'),
    summary: 'List customers, newest first (filters: phone, email, external_ref, search, tags)',
    params: TenantParams, query: CustomerListQuery, response: paginated(CustomerDto),
  },
  createCustomer: {
    method: 'post', path: '/api/v1/tenants/:slug/customers/', tag: 'customers', access: scope('write:customer'), status: 201,
    summary: 'Create a customer', params: TenantParams, body: CreateCustomerBody, response: CustomerDto,
  },
  getCustomer: {
    method: 'get', path: '/api/v1/tenants/:slug/customers/:id/', tag: 'customers', access: scope('read:customer'),
    summary: 'One customer', params: TenantIdParams, response: CustomerDto,
  },
  updateCustomer: {
    method: 'patch', path: '/api/v1/tenants/:slug/customers/:id/', tag: 'customers', access: scope('write:customer'),
    summary: 'Change a customer (objects and tags are replaced whole)', params: TenantIdParams, body: UpdateCustomerBody, response: CustomerDto,
  },
  deleteCustomer: {
    method: 'delete', path: '/api/v1/tenants/:slug/customers/:id/', tag: 'customers', access: scope('write:customer'), status: 204,
    summary: 'Right to be forgotten: the customer is deleted and their name and phone erased from their tickets, appointments and feedback comments; ticket timings stay for statistics',
    params: TenantIdParams, response: NoContent,
  },
});
