import { sql } from 'kysely';
import {
  applyCustomerEdit, customerHlc, duplicateKeys, joinCustomers, type CustomerState, type Stamp,
} from '../../protocol/customer-merge.ts';
import { CUSTOMER_FIELDS, CustomerEdit, ERASED_CUSTOMER_SCRUB, type CustomerField, type CustomerValues } from '../../protocol/entities.ts';
import { formatHlc } from '../../protocol/hlc.ts';
import type { CloudTx } from '../db/database.ts';
import type { CustomerRow } from '../db/schema.ts';
import { recordChange } from './feed.ts';
import { toCustomerRef } from './reference-rows.ts';

/**
 * Accepts a branch's customer outbox payload: the edit form (`values` + `hlc`), or a whole row as
 * older branches (and rows written before enrollment) send it, read as an edit of every field.
 */
export function toCustomerEdit(payload: Record<string, unknown>, op: 'insert' | 'update' | 'delete'): CustomerEdit {
  if ('values' in payload && 'hlc' in payload) return CustomerEdit.parse({ ...payload, deleted: op === 'delete' || payload['deleted'] === true });
  const values = Object.fromEntries(CUSTOMER_FIELDS.filter((f) => f in payload).map((f) => [f, payload[f]]));
  const stampMs = typeof payload['updated_at'] === 'number' ? payload['updated_at']
    : typeof payload['forgotten_at'] === 'number' ? payload['forgotten_at'] : payload['created_at'];
  return CustomerEdit.parse({
    id: payload['id'],
    tenant_id: payload['tenant_id'],
    created_at: typeof payload['created_at'] === 'number' ? payload['created_at'] : stampMs,
    values: op === 'delete' ? {} : values,
    hlc: formatHlc(typeof stampMs === 'number' ? stampMs : 0, 0),
    deleted: op === 'delete',
  });
}

/**
 * Applies one customer edit (from a branch or from HQ) inside the caller's tenant transaction:
 * field-by-field merge, duplicate detection by phone and e-mail (the lower id survives, the other
 * redirects to it), and the resulting change in the feed.
 */
export async function applyCustomerChange(
  trx: CloudTx,
  tenantId: string,
  edit: CustomerEdit,
  origin: string,
  fromHq: boolean,
  now: number,
): Promise<string> {
  const targetId = await resolveCustomer(trx, edit.id);
  const before = await loadState(trx, targetId);
  let state = applyCustomerEdit(before, { ...edit, id: targetId }, origin, fromHq);
  await saveState(trx, tenantId, state, now);

  if (state.deleted) {
    await trx.deleteFrom('customer_key').where('customer_id', '=', state.id).execute();
    if (!before?.deleted) await scrubErasedCustomer(trx, tenantId, state.id);
  } else {
    const keys = duplicateKeys(state.values);
    await trx.deleteFrom('customer_key').where('customer_id', '=', state.id)
      .$if(keys.length > 0, (qb) => qb.where('key', 'not in', keys)).execute();
    for (const key of keys) {
      const owner = await trx.selectFrom('customer_key').select('customer_id').where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
      if (!owner) {
        await trx.insertInto('customer_key').values({ tenant_id: tenantId, key, customer_id: state.id }).execute();
      } else if (owner.customer_id !== state.id) {
        state = await mergeDuplicates(trx, tenantId, owner.customer_id, state, now);
      }
    }
  }
  const row = await trx.selectFrom('customer').selectAll().where('id', '=', state.id).executeTakeFirstOrThrow();
  await recordChange(trx, tenantId, state.deleted
    ? { entity: 'customer', entityId: state.id, op: 'delete', data: {} }
    : { entity: 'customer', entityId: state.id, op: 'upsert', data: toCustomerRef(row) }, now);
  return state.id;
}

/**
 * The uploaded copies of branch-owned rows that named an erased customer lose the link and the
 * personal fields, as every branch does when the erasure reaches it (rows uploaded later are
 * scrubbed on arrival by the push).
 */
async function scrubErasedCustomer(trx: CloudTx, tenantId: string, customerId: string): Promise<void> {
  for (const [table, scrub] of Object.entries(ERASED_CUSTOMER_SCRUB)) {
    await sql`UPDATE ${sql.table(table)} SET customer_id = NULL, data = data || ${JSON.stringify(scrub)}::jsonb
      WHERE tenant_id = ${tenantId}::uuid AND customer_id = ${customerId}::uuid`.execute(trx);
  }
}

/**
 * Follows redirects left by merges to the customer that now stands for this id, locking each row
 * on the way. **Important:** the lock is what makes read-join-write safe. Without it, two
 * transactions editing one customer both read the same state and the later write drops the other's
 * edit; and an edit racing a merge lands on the loser after it was redirected. A transaction that
 * waited for the lock reads the row as committed by the one it waited for (READ COMMITTED).
 */
export async function resolveCustomer(trx: CloudTx, id: string): Promise<string> {
  let current = id;
  for (let hops = 0; hops < 16; hops += 1) {
    const row = await trx.selectFrom('customer').select('merged_into').where('id', '=', current).forUpdate().executeTakeFirst();
    if (!row?.merged_into) return current;
    current = row.merged_into;
  }
  return current;
}

async function mergeDuplicates(trx: CloudTx, tenantId: string, otherId: string, state: CustomerState, now: number): Promise<CustomerState> {
  const other = await loadState(trx, await resolveCustomer(trx, otherId));
  if (!other) return state;
  const [survivor, loser] = other.id < state.id ? [other, state] : [state, other];
  const merged = joinCustomers(survivor, loser, survivor.id);
  await saveState(trx, tenantId, merged, now);
  await trx.updateTable('customer').set({ merged_into: survivor.id, updated_at: now }).where('id', '=', loser.id).execute();
  await trx.updateTable('customer').set({ merged_into: survivor.id }).where('merged_into', '=', loser.id).execute();
  await trx.updateTable('customer_key').set({ customer_id: survivor.id }).where('customer_id', '=', loser.id).execute();
  // Branch-owned rows that named the duplicate now name the survivor, as the branches will do locally.
  const survivorJson = JSON.stringify(survivor.id);
  for (const table of ['ticket', 'feedback', 'appointment'] as const) {
    await sql`UPDATE ${sql.table(table)} SET customer_id = ${survivor.id}::uuid,
      data = jsonb_set(data, '{customer_id}', ${survivorJson}::jsonb) WHERE customer_id = ${loser.id}::uuid`.execute(trx);
  }
  await recordChange(trx, tenantId, { entity: 'customer', entityId: loser.id, op: 'delete', data: { merged_into: survivor.id } }, now);
  return merged;
}

async function loadState(trx: CloudTx, id: string): Promise<CustomerState | null> {
  const row = await trx.selectFrom('customer').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? stateOf(row) : null;
}

function stateOf(row: CustomerRow): CustomerState {
  const values = Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, row[f]])) as unknown as CustomerValues;
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    created_at: row.created_at,
    values,
    stamps: row.stamps as Partial<Record<CustomerField, Stamp>>,
    deleted: (row.deleted as Stamp | null) ?? null,
  };
}

async function saveState(trx: CloudTx, tenantId: string, state: CustomerState, now: number): Promise<void> {
  const columns = {
    ...state.values,
    stamps: state.stamps as Record<string, unknown>,
    deleted: state.deleted as Record<string, unknown> | null,
    hlc: customerHlc(state),
    created_at: state.created_at,
    updated_at: now,
  };
  await trx.insertInto('customer')
    .values({ id: state.id, tenant_id: tenantId, merged_into: null, ...columns })
    .onConflict((oc) => oc.column('id').doUpdateSet(columns))
    .execute();
}
