import { sql } from 'kysely';
import { customerRoutes } from '../../contract/customers.contract.ts';
import { qb } from '../../db/sqlite.ts';
import type { CustomerRow } from '../../db/tables/customer.table.ts';
import { createCustomer, forgetCustomer, getCustomerRow, toCustomerDto, updateCustomer } from '../../use-cases/customers.ts';
import { containsPattern } from '../../use-cases/references.ts';
import type { AppDeps, Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { callerOf } from './tickets.routes.ts';

const useCaseDeps = (ctx: { deps: AppDeps }) => ({ db: ctx.deps.db, events: ctx.deps.events });

export const customerHandlers: Handlers<typeof customerRoutes> = {
  listCustomers(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('customer').selectAll().where('tenant_id', '=', tenant.id);
    if (q.phone) query = query.where('phone', '=', q.phone);
    if (q.email) query = query.where('email', '=', q.email);
    if (q.external_ref) query = query.where('external_ref', '=', q.external_ref);
    if (q.search) {
      const pattern = containsPattern(q.search);
      query = query.where(sql<boolean>`((first_name || ' ' || last_name) LIKE ${pattern} ESCAPE '\\' OR phone LIKE ${pattern} ESCAPE '\\' OR email LIKE ${pattern} ESCAPE '\\')`);
    }
    for (const tag of q.tags ?? []) {
      query = query.where(sql<boolean>`EXISTS (SELECT 1 FROM json_each(customer.tags) WHERE json_each.value = ${tag})`);
    }
    query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows: CustomerRow[]) => rows.map(toCustomerDto));
  },
  createCustomer: (ctx) => createCustomer(useCaseDeps(ctx), callerOf(ctx), ctx.body),
  getCustomer: ({ deps, tenant, params }) => toCustomerDto(getCustomerRow(deps.db, tenant.id, params.id)),
  updateCustomer: (ctx) => updateCustomer(useCaseDeps(ctx), callerOf(ctx), ctx.params.id, ctx.body),
  deleteCustomer(ctx) {
    forgetCustomer(useCaseDeps(ctx), callerOf(ctx), ctx.params.id);
    return null;
  },
};
