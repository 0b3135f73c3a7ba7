import { expect } from 'vitest';
import type { Db } from '../../branch-server/db/sqlite.ts';
import { uuidv7 } from '../../branch-server/ids.ts';
import type { CloudDb } from '../../sync/cloud/db/database.ts';
import type { CloudDeps } from '../../sync/cloud/http/context.ts';
import { recordChange } from '../../sync/cloud/use-cases/feed.ts';
import { snapshotPage, toQueueRef, toServiceRef } from '../../sync/cloud/use-cases/reference-rows.ts';
import { REFERENCE_ENTITIES, type ReferenceEntity } from '../../sync/protocol/entities.ts';

/** Gives a cloud site two services with a queue each, as HQ would configure a new branch. */
export async function seedCloudQueues(deps: CloudDeps, tenantId: string, siteId: string): Promise<string[]> {
  const now = deps.now();
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const queueIds: string[] = [];
    for (const [name, prefix] of [['Retrait', 'R'], ['Conseil', 'C']] as const) {
      const service = await trx.insertInto('service').values({ id: uuidv7(now), tenant_id: tenantId, name, sla_seconds: 600, created_at: now, updated_at: now })
        .returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, tenantId, { entity: 'service', entityId: service.id, op: 'upsert', data: toServiceRef(service) }, now);
      const queue = await trx.insertInto('queue').values({
        id: uuidv7(now), tenant_id: tenantId, site_id: siteId, service_id: service.id, name, prefix, created_at: now, updated_at: now,
      }).returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, tenantId, { entity: 'queue', entityId: queue.id, op: 'upsert', data: toQueueRef(queue) }, now);
      queueIds.push(queue.id);
    }
    return queueIds;
  });
}

const BRANCH_TABLES = ['ticket', 'ticket_event', 'feedback', 'audit_log', 'appointment'] as const;

type Branch = Readonly<{ name: string; db: Db; tenantId: string; deviceId: string; siteId: string }>;

/**
 * The sync oracle (issue 6): once faults heal and writes stop, every branch-owned row is in the cloud
 * exactly once with equal content, every branch's reference data equals the cloud's, and customers
 * are equal everywhere.
 */
export async function expectConverged(cloud: CloudDb, tenantId: string, branches: readonly Branch[]): Promise<void> {
  for (const branch of branches) {
    expect(branch.tenantId).toBe(tenantId);
    const pending = branch.db.sqlite.prepare('SELECT count(*) AS n FROM sync_outbox').get() as { n: number };
    expect(pending.n, `${branch.name}: outbox drained`).toBe(0);
    for (const table of BRANCH_TABLES) {
      const local = branch.db.sqlite.prepare(`SELECT * FROM ${table} WHERE tenant_id = ?`).all(tenantId) as Record<string, unknown>[];
      const remote = await cloud.db.selectFrom(table).select(['id', 'data']).where('device_id', '=', branch.deviceId).execute();
      expect(remote.length, `${branch.name}: ${table} rows in the cloud`).toBe(local.length);
      const byId = new Map(remote.map((r) => [r.id, r.data]));
      for (const row of local) {
        const { seq: _seq, ...content } = row;
        const cloudRow = byId.get(String(row['id']));
        expect(cloudRow, `${branch.name}: ${table} ${String(row['id'])} in the cloud`).toBeDefined();
        // The audit row's local seq is the branch's own numbering, not part of the uploaded row.
        const expected = table === 'audit_log' ? content : row;
        expect(pick(cloudRow!, Object.keys(expected)), `${branch.name}: ${table} ${String(row['id'])} content`).toEqual(expected);
      }
    }
    for (const entity of REFERENCE_ENTITIES) {
      const cloudRows = await allReferenceRows(cloud, tenantId, entity, branch.siteId);
      const localRows = localReferenceRows(branch.db, tenantId, entity);
      for (const [id, row] of cloudRows) {
        const local = localRows.get(id);
        expect(local, `${branch.name}: ${entity} ${id} at the branch`).toBeDefined();
        // Columns the branch keeps for itself (queue statistics…) are not compared; every shared one is.
        const shared = Object.keys(row).filter((k) => k in local!);
        expect(pick(local!, shared), `${branch.name}: ${entity} ${id}`).toEqual(pick(row, shared));
      }
      if (entity === 'customer') expect([...localRows.keys()].sort(), `${branch.name}: the same customers`).toEqual([...cloudRows.keys()].sort());
    }
  }
}

function pick(row: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, row[k]]));
}

async function allReferenceRows(cloud: CloudDb, tenantId: string, entity: ReferenceEntity, siteId: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>();
  let after: string | undefined;
  for (;;) {
    const page = await cloud.withTenant(tenantId, (trx) => snapshotPage(trx, tenantId, entity, after, 500, siteId));
    for (const row of page.rows.filter((r) => !('merged_into' in r) && r['deleted'] !== true)) rows.set(String(entity === 'agent_queues' ? row['user_id'] : row['id']), row);
    if (!page.lastKey) return rows;
    after = page.lastKey;
  }
}

const LOCAL_TABLE: Readonly<Record<Exclude<ReferenceEntity, 'agent_queues'>, string>> = {
  tenant: 'tenant', site: 'site', service: 'service', queue: 'queue', user: 'user', tenant_membership: 'tenant_membership',
  notification_template: 'notification_template', customer: 'customer',
};

function localReferenceRows(db: Db, tenantId: string, entity: ReferenceEntity): Map<string, Record<string, unknown>> {
  if (entity === 'agent_queues') {
    const rows = db.sqlite.prepare('SELECT user_id, queue_id FROM agent_queue WHERE tenant_id = ? ORDER BY queue_id').all(tenantId) as { user_id: string; queue_id: string }[];
    const byUser = new Map<string, Record<string, unknown>>();
    for (const r of rows) {
      const entry = byUser.get(r.user_id) ?? { tenant_id: tenantId, user_id: r.user_id, queue_ids: [] as string[] };
      (entry['queue_ids'] as string[]).push(r.queue_id);
      byUser.set(r.user_id, entry);
    }
    return byUser;
  }
  const table = LOCAL_TABLE[entity];
  const sql = entity === 'tenant' ? `SELECT * FROM tenant WHERE id = ?`
    : entity === 'user' ? `SELECT u.* FROM user u WHERE EXISTS (SELECT 1 FROM tenant_membership m WHERE m.user_id = u.id AND m.tenant_id = ?)`
      : `SELECT * FROM ${table} WHERE tenant_id = ?`;
  const rows = db.sqlite.prepare(sql).all(tenantId) as Record<string, unknown>[];
  return new Map(rows.map((r) => [String(r['id']), r]));
}
