import { TenantIdParams, TenantParams, NoContent, paginated } from '../../branch-server/contract/common.ts';
import {
  CreateCustomerBody, CustomerDto, CustomerListQuery, UpdateCustomerBody,
} from '../../branch-server/contract/customers.contract.ts';
import { defineCloudRoutes, tenantNeeds } from './cloud-route.ts';

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
  deleteCustomer: {
    method: 'delete', path: '/api/v1/tenants/:slug/customers/:id/', tag: 'customers', access: tenantNeeds('manage'), status: 204,
    summary: 'Right to be forgotten: the customer is deleted everywhere (a delete beats any later edit)',
    params: TenantIdParams, response: NoContent,
  },
});
