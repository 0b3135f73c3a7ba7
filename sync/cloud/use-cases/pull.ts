import { sql } from 'kysely';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import type { ReferenceEntity } from '../../protocol/entities.ts';
import type { Change, DeviceAlert, PullResponse, SnapshotResponse } from '../../protocol/messages.ts';
import type { CloudDeps, CloudDevice } from '../http/context.ts';
import { feedHead } from './feed.ts';
import { snapshotPage } from './reference-rows.ts';

const DEFAULT_LIMIT = 500;

/**
 * A page of the tenant's change feed after `cursor`. A cursor from another epoch (the cloud was
 * restored), beyond the head, or older than the pruned part of the feed gets 410: take a snapshot.
 */
export async function pullChanges(
  deps: CloudDeps,
  device: CloudDevice,
  query: Readonly<{ cursor: number; limit?: number | undefined; epoch?: string | undefined }>,
): Promise<PullResponse> {
  const now = deps.now();
  const limit = query.limit ?? DEFAULT_LIMIT;
  const page = await deps.cloud.withTenant(device.tenantId, async (trx) => {
    const head = await feedHead(trx, device.tenantId);
    if ((query.epoch !== undefined && query.epoch !== deps.config.epoch) || query.cursor > head.value || query.cursor < head.prunedThrough) {
      throw new DomainError('snapshot-required', 'This cursor cannot be continued (cloud restored or feed pruned): take a snapshot.');
    }
    const rows = await trx.selectFrom('change_feed').select(['seq', 'entity', 'entity_id', 'op', 'data'])
      .where('tenant_id', '=', device.tenantId).where('seq', '>', query.cursor)
      .orderBy('seq').limit(limit + 1).execute();
    await trx.updateTable('device').set({ last_pull_at: now, last_seen_at: now }).where('id', '=', device.deviceId).execute();
    const siteQueues = rows.some((r) => r.entity === 'agent_queues')
      ? new Set((await trx.selectFrom('queue').select('id').where('site_id', '=', device.siteId).execute()).map((q) => q.id))
      : new Set<string>();
    return { rows, siteQueues, head: head.value };
  });
  const hasMore = page.rows.length > limit;
  const changes = (hasMore ? page.rows.slice(0, limit) : page.rows).map((r) => forThisSite(device, {
    seq: r.seq, entity: r.entity as ReferenceEntity, entity_id: r.entity_id, op: r.op, data: r.data,
  }, page.siteQueues));
  return {
    changes,
    cursor: changes.length > 0 ? changes[changes.length - 1]!.seq : query.cursor,
    has_more: hasMore,
    epoch: deps.config.epoch,
    server_time: now,
    head: page.head,
  };
}

/**
 * The feed is the tenant's, but a branch serves one site: another site's queue reaches it as a
 * tombstone (so a queue moved away is withdrawn there), and skills keep only this site's queues.
 */
function forThisSite(device: CloudDevice, change: Change, siteQueues: ReadonlySet<string>): Change {
  if (change.entity === 'queue' && change.op === 'upsert' && change.data['site_id'] !== device.siteId) {
    return { ...change, op: 'delete', data: {} };
  }
  if (change.entity === 'agent_queues' && Array.isArray(change.data['queue_ids'])) {
    return { ...change, data: { ...change.data, queue_ids: (change.data['queue_ids'] as string[]).filter((id) => siteQueues.has(id)) } };
  }
  return change;
}

export async function readSnapshot(
  deps: CloudDeps,
  device: CloudDevice,
  query: Readonly<{ entity: ReferenceEntity; after?: string | undefined; limit?: number | undefined }>,
): Promise<SnapshotResponse> {
  const now = deps.now();
  const limit = query.limit ?? DEFAULT_LIMIT;
  return deps.cloud.withTenant(device.tenantId, async (trx) => {
    // Read the head first: every row on this page is at least as new as it.
    const head = await feedHead(trx, device.tenantId);
    const page = await snapshotPage(trx, device.tenantId, query.entity, query.after, limit, device.siteId);
    return { entity: query.entity, rows: page.rows, next_after: page.lastKey, as_of: head.value, epoch: deps.config.epoch, server_time: now };
  });
}

export async function recordAck(
  deps: CloudDeps,
  device: CloudDevice,
  body: Readonly<{
    cursor: number; outbox_depth: number; oldest_unsent_ms: number | null; clock_offset_ms: number | null; app_version: string;
    last_backup_at?: number | null | undefined; last_backup_ok?: boolean | undefined;
    device_alerts?: readonly DeviceAlert[] | undefined;
  }>,
): Promise<{ ok: true; server_time: number }> {
  const now = deps.now();
  await deps.cloud.withTenant(device.tenantId, (trx) => trx.updateTable('device').set({
    feed_cursor: body.cursor, outbox_depth: body.outbox_depth, oldest_unsent_ms: body.oldest_unsent_ms,
    clock_offset_ms: body.clock_offset_ms, app_version: body.app_version, last_seen_at: now,
    // Older branches do not report backups: what HQ knew stays.
    ...(body.last_backup_at !== undefined ? { last_backup_at: body.last_backup_at } : {}),
    ...(body.last_backup_ok !== undefined ? { last_backup_ok: body.last_backup_ok } : {}),
    // A JSON text cast in SQL: the driver would send a JS array as a PostgreSQL array, not jsonb.
    ...(body.device_alerts !== undefined ? { device_alerts: sql<DeviceAlert[]>`cast(${JSON.stringify(body.device_alerts)} as jsonb)`, device_alerts_at: now } : {}),
  }).where('id', '=', device.deviceId).execute());
  return { ok: true, server_time: now };
}
