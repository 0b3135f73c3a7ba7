import { z } from 'zod';
import { IsoDateTime, TenantIdParams, TenantParams, NoContent, paginated } from '../../branch-server/contract/common.ts';
import {
  CreateCustomerBody, CustomerDto, CustomerListQuery, UpdateCustomerBody,
} from '../../branch-server/contract/customers.contract.ts';
import { defineCloudRoutes, tenantNeeds } from './cloud-route.ts';

const BranchRow = z.record(z.string(), z.unknown()).describe('the row as the branch uploaded it, with `site_id`');

/** Right of access at HQ: everything the cloud holds on one customer (merged duplicates included). */
export const HqCustomerExportDto = z.object({
  exported_at: IsoDateTime,
  customer: CustomerDto,
  merged_ids: z.array(z.string()).describe('duplicate records merged into this customer; rows below may name them'),
  consents: z.record(z.string(), z.unknown()).describe('the current state of each purpose (with its date and channel when a branch recorded it); the full history stays at the branch that recorded it'),
  tickets: z.array(BranchRow),
  appointments: z.array(BranchRow),
  feedback: z.array(BranchRow),
  audit: z.array(BranchRow).describe("the branches' audit rows about this customer record"),
});
export type HqCustomerExportDto = z.infer<typeof HqCustomerExportDto>;

/**
 * Customers at HQ: the branch's v1 shapes. HQ edits merge field by field with the branches' (HQ wins
 * identity and consent fields), and a duplicate by phone or e-mail resolves to one survivor: reading
 * a merged-away id answers the survivor.
 */
export const hqCustomerRoutes = defineCloudRoutes({
  listCustomers: {
    method: 'get', path: '/api/v1/tenants/:slug/customers/', tag: 'customers', access: tenantNeeds('read'),
    summary: 'Customers, newest first (filters: phone, email, external_ref, search, tags)',
    params: TenantParams, query: CustomerListQuery, response: paginated(CustomerDto),
  },
  createCustomer: {
    method: 'post', path: '/api/v1/tenants/:slug/customers/', tag: 'customers', access: tenantNeeds('manage'), status: 201,
    summary: 'Create a customer (a duplicate by phone or e-mail merges into the existing one, which is returned)',
    params: TenantParams, body: CreateCustomerBody, response: CustomerDto,
  },
  getCustomer: {
    method: 'get', path: '/api/v1/tenants/:slug/customers/:id/', tag: 'customers', access: tenantNeeds('read'),
    summary: 'One customer (a merged duplicate answers its survivor)', params: TenantIdParams, response: CustomerDto,
  },
  updateCustomer: {
    method: 'patch', path: '/api/v1/tenants/:slug/customers/:id/', tag: 'customers', access: tenantNeeds('manage'),
    summary: 'Change a customer (objects and tags are replaced whole)', params: TenantIdParams, body: UpdateCustomerBody, response: CustomerDto,
  },
  exportCustomer: {
    method: 'get', path: '/api/v1/tenants/:slug/customers/:id/export/', tag: 'customers', access: tenantNeeds('manage'),
    summary: "Everything the cloud holds on the customer, as JSON (right of access): the record, consents, and the branches' tickets, appointments, feedback and audit rows about them. Managers and admins: an analyst reads statistics, not a person's file",
    params: TenantIdParams, response: HqCustomerExportDto,
  },
  deleteCustomer: {
    method: 'delete', path: '/api/v1/tenants/:slug/customers/:id/', tag: 'customers', access: tenantNeeds('manage'), status: 204,
    summary: 'Right to be forgotten: the customer is deleted everywhere (a delete beats any later edit)',
    params: TenantIdParams, response: NoContent,
  },
});
