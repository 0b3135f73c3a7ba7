import type { ReferenceEntity } from '../../protocol/entities.ts';
import type { CloudTx } from '../db/database.ts';

export type FeedChange = Readonly<{
  entity: ReferenceEntity;
  entityId: string;
  op: 'upsert' | 'delete';
  data: Record<string, unknown>;
}>;

/**
 * Appends a change to the tenant's feed. **Important**: call it inside the change's own transaction.
 * The counter row is updated (and so locked) until commit: the next transaction of this tenant waits,
 * so feed numbers become visible in order and a branch reading the feed can never skip one that a
 * long transaction commits late.
 */
export async function recordChange(trx: CloudTx, tenantId: string, change: FeedChange, now: number): Promise<number> {
  const counter = await trx.updateTable('tenant_feed_counter')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .returning('value')
    .executeTakeFirstOrThrow();
  await trx.insertInto('change_feed').values({
    tenant_id: tenantId,
    seq: counter.value,
    entity: change.entity,
    entity_id: change.entityId,
    op: change.op,
    data: change.data,
    created_at: now,
  }).execute();
  return counter.value;
}

/** The feed position every change committed so far is at or before. */
export async function feedHead(trx: CloudTx, tenantId: string): Promise<{ value: number; prunedThrough: number }> {
  const row = await trx.selectFrom('tenant_feed_counter').select(['value', 'pruned_through']).where('tenant_id', '=', tenantId).executeTakeFirst();
  return { value: row?.value ?? 0, prunedThrough: row?.pruned_through ?? 0 };
}

/**
 * Drops feed rows older than the retention, keeping the newest row per tenant so the head stays
 * readable. A branch whose cursor falls behind the pruned part is told to take a snapshot (410).
 */
export async function pruneFeed(trx: CloudTx, tenantId: string, olderThan: number): Promise<number> {
  const head = await trx.selectFrom('tenant_feed_counter').select('value').where('tenant_id', '=', tenantId).forUpdate().executeTakeFirst();
  if (!head) return 0;
  const doomed = await trx.selectFrom('change_feed').select((eb) => eb.fn.max('seq').as('through'))
    .where('tenant_id', '=', tenantId).where('created_at', '<', olderThan).where('seq', '<', head.value).executeTakeFirst();
  const through = Number(doomed?.through ?? 0);
  if (through === 0) return 0;
  const deleted = await trx.deleteFrom('change_feed').where('tenant_id', '=', tenantId).where('seq', '<=', through).executeTakeFirst();
  await trx.updateTable('tenant_feed_counter').set({ pruned_through: through }).where('tenant_id', '=', tenantId).execute();
  return Number(deleted.numDeletedRows);
}
