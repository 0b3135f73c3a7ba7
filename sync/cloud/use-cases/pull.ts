import { DomainError } from '../../../branch-server/domain/errors.ts';
import type { ReferenceEntity } from '../../protocol/entities.ts';
import type { Change, PullResponse, SnapshotResponse } from '../../protocol/messages.ts';
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
    return rows;
  });
  const hasMore = page.length > limit;
  const changes = (hasMore ? page.slice(0, limit) : page).map((r) => ({
    seq: r.seq, entity: r.entity as ReferenceEntity, entity_id: r.entity_id, op: r.op, data: r.data,
  } satisfies Change));
  return {
    changes,
    cursor: changes.length > 0 ? changes[changes.length - 1]!.seq : query.cursor,
    has_more: hasMore,
    epoch: deps.config.epoch,
    server_time: now,
  };
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
    const page = await snapshotPage(trx, device.tenantId, query.entity, query.after, limit);
    return { entity: query.entity, rows: page.rows, next_after: page.lastKey, as_of: head.value, epoch: deps.config.epoch, server_time: now };
  });
}

export async function recordAck(
  deps: CloudDeps,
  device: CloudDevice,
  body: Readonly<{ cursor: number; outbox_depth: number; oldest_unsent_ms: number | null; clock_offset_ms: number | null; app_version: string }>,
): Promise<{ ok: true; server_time: number }> {
  const now = deps.now();
  await deps.cloud.withTenant(device.tenantId, (trx) => trx.updateTable('device').set({
    feed_cursor: body.cursor, outbox_depth: body.outbox_depth, oldest_unsent_ms: body.oldest_unsent_ms,
    clock_offset_ms: body.clock_offset_ms, app_version: body.app_version, last_seen_at: now,
  }).where('id', '=', device.deviceId).execute());
  return { ok: true, server_time: now };
}
