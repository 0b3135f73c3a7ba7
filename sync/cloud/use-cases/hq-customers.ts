import { sql } from 'kysely';
import type { z } from 'zod';
import type {
  CreateCustomerBody, CustomerDto, CustomerListQuery, UpdateCustomerBody,
} from '../../../branch-server/contract/customers.contract.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { EMPTY_CUSTOMER_VALUES } from '../../protocol/customer-merge.ts';
import type { HqCustomerExportDto } from '../../protocol/hq-customers.contract.ts';
import { CUSTOMER_FIELDS, type CustomerEdit, type CustomerValues } from '../../protocol/entities.ts';
import { formatHlc, tickHlc } from '../../protocol/hlc.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { CustomerRow } from '../db/schema.ts';
import type { HqCaller } from '../http/caller.ts';
import type { CloudDeps } from '../http/context.ts';
import { applyCustomerChange, resolveCustomer } from './customers.ts';
import { containsPattern, iso, parseObject, parseStringArray } from './dto.ts';

type Language = CustomerDto['language'];
const LANGUAGES: readonly string[] = ['fr', 'en', 'ar'];
type CustomerInput = Partial<Omit<CustomerDto, 'id' | 'created_at' | 'updated_at'>>;

export function toCustomerDto(row: CustomerRow): CustomerDto {
  return {
    id: row.id, external_ref: row.external_ref, first_name: row.first_name, last_name: row.last_name,
    phone: row.phone, email: row.email, language: (LANGUAGES.includes(row.language) ? row.language : 'fr') as Language,
    notify_sms: row.notify_sms === 1, notify_email: row.notify_email === 1, notify_whatsapp: row.notify_whatsapp === 1,
    consents: parseObject(row.consents), tags: parseStringArray(row.tags), metadata: parseObject(row.metadata),
    created_at: iso(row.created_at), updated_at: iso(row.updated_at),
  };
}

/** API fields → the merge's column values (flags 0|1, objects as JSON text). */
function toValues(input: CustomerInput): Partial<CustomerValues> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || !(CUSTOMER_FIELDS as readonly string[]).includes(key)) continue;
    if (key.startsWith('notify_')) values[key] = value ? 1 : 0;
    else if (key === 'consents' || key === 'tags' || key === 'metadata') values[key] = JSON.stringify(value);
    else values[key] = value;
  }
  return values as Partial<CustomerValues>;
}

/** The live customer an id stands for (following merge redirects); a deleted one is not found. */
async function liveCustomer(trx: CloudTx, tenantId: string, id: string): Promise<CustomerRow> {
  const visible = await trx.selectFrom('customer').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!visible) throw new DomainError('not-found', 'Customer not found.');
  const row = await trx.selectFrom('customer').selectAll().where('tenant_id', '=', tenantId)
    .where('id', '=', await resolveCustomer(trx, id)).executeTakeFirst();
  if (!row || row.deleted !== null) throw new DomainError('not-found', 'Customer not found.');
  return row;
}

export async function listCustomers(deps: CloudDeps, tenantId: string, q: z.infer<typeof CustomerListQuery>): Promise<PageResult<CustomerDto>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let query = trx.selectFrom('customer').selectAll().where('tenant_id', '=', tenantId)
      .where('merged_into', 'is', null).where('deleted', 'is', null);
    if (q.phone) query = query.where('phone', '=', q.phone);
    if (q.email) query = query.where('email', '=', q.email);
    if (q.external_ref) query = query.where('external_ref', '=', q.external_ref);
    if (q.search) {
      const pattern = containsPattern(q.search);
      query = query.where(sql<boolean>`((first_name || ' ' || last_name) ILIKE ${pattern} OR phone ILIKE ${pattern} OR email ILIKE ${pattern})`);
    }
    for (const tag of q.tags ?? []) query = query.where(sql<boolean>`(tags::jsonb ? ${tag})`);
    return pageOf(query.orderBy('created_at', 'desc').orderBy('id', 'desc'), q, (rows) => rows.map(toCustomerDto));
  });
}

export async function getCustomer(deps: CloudDeps, tenantId: string, id: string): Promise<CustomerDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => toCustomerDto(await liveCustomer(trx, tenantId, id)));
}

/**
 * HQ edits go through the same merge as the branches' (HQ wins identity and consent fields). Only
 * the fields HQ actually sets compete: a customer created with a phone alone does not blank the name
 * of the existing customer it turns out to duplicate.
 */
export async function createCustomer(deps: CloudDeps, caller: HqCaller, body: z.infer<typeof CreateCustomerBody>): Promise<CustomerDto> {
  const { tenantId, now } = caller;
  const values = toValues(body);
  const set = Object.fromEntries(Object.entries(values).filter(([f, v]) => v !== EMPTY_CUSTOMER_VALUES[f as keyof CustomerValues]));
  const edit: CustomerEdit = { id: uuidv7(now), tenant_id: tenantId, created_at: now, values: set, hlc: formatHlc(now, 0), deleted: false };
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const id = await applyCustomerChange(trx, tenantId, edit, `hq:${caller.userId}`, true, now);
    return toCustomerDto(await liveCustomer(trx, tenantId, id));
  });
}

export async function updateCustomer(
  deps: CloudDeps, caller: HqCaller, id: string, patch: z.infer<typeof UpdateCustomerBody>,
): Promise<CustomerDto> {
  const { tenantId, now } = caller;
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const before = await liveCustomer(trx, tenantId, id);
    const current = toCustomerDto(before);
    const changed = Object.fromEntries(Object.entries(patch)
      .filter(([k, v]) => v !== undefined && JSON.stringify(current[k as keyof CustomerDto]) !== JSON.stringify(v)));
    if (Object.keys(changed).length === 0) return current;
    // After every stamp this customer carries, whatever HQ's clock says.
    const edit: CustomerEdit = {
      id: before.id, tenant_id: tenantId, created_at: before.created_at, values: toValues(changed), hlc: tickHlc(before.hlc, now), deleted: false,
    };
    const survivor = await applyCustomerChange(trx, tenantId, edit, `hq:${caller.userId}`, true, now);
    return toCustomerDto(await liveCustomer(trx, tenantId, survivor));
  });
}

/** The right to be forgotten, from HQ: a delete beats any edit, on every branch. */
export async function forgetCustomer(deps: CloudDeps, caller: HqCaller, id: string): Promise<void> {
  const { tenantId, now } = caller;
  await deps.cloud.withTenant(tenantId, async (trx) => {
    const before = await liveCustomer(trx, tenantId, id);
    const edit: CustomerEdit = {
      id: before.id, tenant_id: tenantId, created_at: before.created_at, values: {}, hlc: tickHlc(before.hlc, now), deleted: true,
    };
    await applyCustomerChange(trx, tenantId, edit, `hq:${caller.userId}`, true, now);
  });
}

/** Every record merged (directly or through another merged record) into `survivor`, survivor excluded. */
async function mergedInto(trx: CloudTx, tenantId: string, survivor: string): Promise<string[]> {
  const found: string[] = [];
  let frontier = [survivor];
  // A merge chain is short (a duplicate of a duplicate); the bound only guards against a cycle.
  for (let depth = 0; depth < 20 && frontier.length > 0; depth += 1) {
    const rows = await trx.selectFrom('customer').select('id').where('tenant_id', '=', tenantId).where('merged_into', 'in', frontier).execute();
    frontier = rows.map((r) => r.id).filter((id) => id !== survivor && !found.includes(id));
    found.push(...frontier);
  }
  return found;
}

/**
 * Right of access, from HQ: the customer and every branch row the cloud holds about them, under
 * their id or one of the duplicates merged into them. Notifications and the consent history are not
 * uploaded: they stay at the branch (its own export has them).
 */
export async function exportCustomer(deps: CloudDeps, tenantId: string, id: string, now: number): Promise<HqCustomerExportDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const row = await liveCustomer(trx, tenantId, id);
    const merged = await mergedInto(trx, tenantId, row.id);
    const ids = [row.id, ...merged];
    const rowsOf = async (table: 'ticket' | 'appointment' | 'feedback') => {
      const rows = await trx.selectFrom(table).select(['id', 'site_id', 'data']).where('tenant_id', '=', tenantId)
        .where('customer_id', 'in', ids).orderBy('id').execute();
      return rows.map((r) => ({ ...parseObject(r.data), id: r.id, site_id: r.site_id }));
    };
    const audit = await trx.selectFrom('audit_log').select(['id', 'site_id', 'data']).where('tenant_id', '=', tenantId)
      .where('entity', '=', 'customer').where('entity_id', 'in', ids).orderBy('created_at').orderBy('id').execute();
    const customer = toCustomerDto(row);
    return {
      exported_at: new Date(now).toISOString(), customer, merged_ids: merged, consents: customer.consents,
      tickets: await rowsOf('ticket'), appointments: await rowsOf('appointment'), feedback: await rowsOf('feedback'),
      audit: audit.map((r) => ({ ...parseObject(r.data), id: r.id, site_id: r.site_id })),
    };
  });
}
