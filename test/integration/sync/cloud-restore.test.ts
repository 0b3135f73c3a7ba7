import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import { startCloud, type RunningCloud } from '../../../sync/cloud/start.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type TestServer } from '../../helpers/server.ts';
import { hq, localCounts, syncClient } from '../../helpers/sync.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let db: Db;
let deviceId: string;
let queueId: string;
let token: string;
const restarted: RunningCloud[] = [];

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  queueId = await hq.queue(cloud, acme.tenantId, acme.siteId, await hq.service(cloud, acme.tenantId, 'Accounts'), 'A');
  t = await startTestServer();
  await seedDemoTenant(t);
  db = t.server.deps.db;
  const client = syncClient(db, cloud);
  deviceId = (await client.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId))).device_id;
  await client.syncOnce();
  token = await t.login(acme.adminEmail, acme.adminPassword);
});
afterAll(async () => {
  for (const c of restarted) await c.close();
  await t?.close();
  await cloud?.stop();
});

/** The cloud comes back from a backup: a new epoch, and this device's upload stream as the backup had it. */
async function restoreCloud(lastAppliedSeq: number, newEpoch: boolean): Promise<RunningCloud> {
  if (newEpoch) await cloud.db.db.updateTable('cloud_meta').set({ value: randomUUID() }).where('key', '=', 'epoch').execute();
  await cloud.db.db.updateTable('device').set({ last_applied_seq: lastAppliedSeq }).where('id', '=', deviceId).execute();
  const again = await startCloud({ cloud: cloud.db });
  restarted.push(again);
  return again;
}

async function issue(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) expect((await t.api('POST', '/api/v1/tenants/acme/tickets/', { token, body: { queue: queueId } })).status).toBe(201);
}

describe('a cloud restored from a backup', () => {
  it('reports a gap it cannot fill as an error when the epoch is the same (never papers over lost rows)', async () => {
    await issue(2);
    const stored = Number(db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'last_acked_seq'`).pluck().get());
    const same = await restoreCloud(stored - 5, false);
    const client = syncClient(db, same);
    await expect(client.syncOnce()).rejects.toMatchObject({ code: 'sync-gap' });
    expect(client.status()).toMatchObject({ state: 'error', last_error_code: 'sync-gap' });
    expect(client.status().outbox_depth).toBeGreaterThan(0);
    // Put the cloud back as it was for the next test.
    await cloud.db.db.updateTable('device').set({ last_applied_seq: stored }).where('id', '=', deviceId).execute();
  });

  it('starts a new upload stream and a snapshot when the epoch changed, and carries on with nothing lost from the branch', async () => {
    await issue(2);
    await hq.template(cloud, acme.tenantId, 'after_restore', 'Hello again');
    const stored = Number(db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'last_acked_seq'`).pluck().get());
    const oldStream = db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'stream_id'`).pluck().get();
    const oldEpoch = db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'epoch'`).pluck().get();
    const restored = await restoreCloud(stored - 5, true);
    const client = syncClient(db, restored);
    const result = await client.syncOnce();
    expect(result.snapshot).toBe(true);
    expect(client.status()).toMatchObject({ state: 'online', outbox_depth: 0 });
    expect(db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'stream_id'`).pluck().get()).not.toBe(oldStream);
    expect(db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'epoch'`).pluck().get()).not.toBe(oldEpoch);
    expect(db.sqlite.prepare('SELECT body FROM notification_template WHERE key = ?').pluck().get('after_restore')).toBe('Hello again');
    // Every ticket of the branch is in the cloud, once (this restore only rewound the stream; rows a
    // real restore loses stay lost there, their outbox rows having been acknowledged and removed).
    const inCloud = await cloud.db.db.selectFrom('ticket').select((eb) => eb.fn.countAll<number>().as('n')).where('device_id', '=', deviceId).executeTakeFirstOrThrow();
    expect(Number(inCloud.n)).toBe(localCounts(db).ticket);
  });
});
