import { MIGRATIONS } from '../../branch-server/db/migrations/index.ts';
import { hashPassword } from '../../branch-server/http/passwords.ts';
import { uuidv7 } from '../../branch-server/ids.ts';
import { recordChange } from '../../sync/cloud/use-cases/feed.ts';
import { agentQueuesRef, toQueueRef, toServiceRef, toTemplateRef } from '../../sync/cloud/use-cases/reference-rows.ts';
import { addMember } from '../../sync/cloud/use-cases/tenants.ts';
import type { Db } from '../../branch-server/db/sqlite.ts';
import { SyncClient, type SyncClientOptions } from '../../sync/client/sync-client.ts';
import { httpTransport, type SyncTransport } from '../../sync/client/transport.ts';
import type { TestCloud } from './cloud.ts';

/** A sync client for a branch database, talking HTTP to a test cloud. */
export function syncClient(db: Db, cloud: Pick<TestCloud, 'url'>, options: Partial<SyncClientOptions> = {}): SyncClient {
  const transport: SyncTransport = options.transport ?? httpTransport(cloud.url, { timeoutMs: 10_000, schemaVersion: Object.keys(MIGRATIONS).length });
  return new SyncClient({
    db, now: Date.now, appVersion: 'test', schemaVersion: Object.keys(MIGRATIONS).length, cloudUrl: cloud.url,
    ...options, transport,
  });
}

/** Rows of a cloud table uploaded by one device. */
export async function cloudCount(cloud: TestCloud, table: 'ticket' | 'ticket_event' | 'feedback' | 'audit_log' | 'appointment', deviceId: string): Promise<number> {
  const row = await cloud.db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('device_id', '=', deviceId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Row counts of the branch-owned tables in the branch database. */
export function localCounts(db: Db): Record<'ticket' | 'ticket_event' | 'feedback' | 'audit_log' | 'appointment', number> {
  const n = (table: string) => Number(db.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  return { ticket: n('ticket'), ticket_event: n('ticket_event'), feedback: n('feedback'), audit_log: n('audit_log'), appointment: n('appointment') };
}

/**
 * HQ-side reference changes written the way the cloud's use-cases write them: the row and its
 * change-feed entry in one tenant transaction.
 */
export const hq = {
  async service(cloud: TestCloud, tenantId: string, name: string): Promise<string> {
    const now = Date.now();
    return cloud.deps.cloud.withTenant(tenantId, async (trx) => {
      const row = await trx.insertInto('service').values({ id: uuidv7(now), tenant_id: tenantId, name, code: name.slice(0, 3).toUpperCase(), sla_seconds: 600, created_at: now, updated_at: now })
        .returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, tenantId, { entity: 'service', entityId: row.id, op: 'upsert', data: toServiceRef(row) }, now);
      return row.id;
    });
  },
  async renameService(cloud: TestCloud, tenantId: string, id: string, name: string): Promise<void> {
    const now = Date.now();
    await cloud.deps.cloud.withTenant(tenantId, async (trx) => {
      const row = await trx.updateTable('service').set({ name, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, tenantId, { entity: 'service', entityId: row.id, op: 'upsert', data: toServiceRef(row) }, now);
    });
  },
  async queue(cloud: TestCloud, tenantId: string, siteId: string, serviceId: string, prefix: string): Promise<string> {
    const now = Date.now();
    return cloud.deps.cloud.withTenant(tenantId, async (trx) => {
      const row = await trx.insertInto('queue').values({ id: uuidv7(now), tenant_id: tenantId, site_id: siteId, service_id: serviceId, name: `Queue ${prefix}`, prefix, created_at: now, updated_at: now })
        .returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, tenantId, { entity: 'queue', entityId: row.id, op: 'upsert', data: toQueueRef(row) }, now);
      return row.id;
    });
  },
  /** A staff member with a role and (for agents) skills; the password hash flows down to branches. */
  async member(cloud: TestCloud, tenantId: string, email: string, password: string, role: 'admin' | 'manager' | 'agent', queueIds: string[] = []): Promise<string> {
    const now = Date.now();
    const passwordHash = await hashPassword(password);
    // Users are global (not one tenant's rows): created the way createCloudTenant does, as the system.
    return cloud.deps.cloud.withSystem(async (trx) => {
      const user = await trx.insertInto('app_user').values({ id: uuidv7(now), email, password_hash: passwordHash, first_name: 'Staff', last_name: role, created_at: now, updated_at: now })
        .returningAll().executeTakeFirstOrThrow();
      await addMember(trx, tenantId, user.id, role, now);
      for (const queueId of queueIds) await trx.insertInto('agent_queue').values({ tenant_id: tenantId, user_id: user.id, queue_id: queueId }).execute();
      if (queueIds.length > 0) {
        await recordChange(trx, tenantId, { entity: 'agent_queues', entityId: user.id, op: 'upsert', data: await agentQueuesRef(trx, tenantId, user.id) }, now);
      }
      return user.id;
    });
  },
  async template(cloud: TestCloud, tenantId: string, key: string, body: string): Promise<string> {
    const now = Date.now();
    return cloud.deps.cloud.withTenant(tenantId, async (trx) => {
      const row = await trx.insertInto('notification_template').values({ id: uuidv7(now), tenant_id: tenantId, key, channel: 'sms', language: 'fr', body, created_at: now, updated_at: now })
        .returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, tenantId, { entity: 'notification_template', entityId: row.id, op: 'upsert', data: toTemplateRef(row) }, now);
      return row.id;
    });
  },
};
