import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import { CLIENT_FAULT_POINTS, SyncFailure } from '../../../sync/client/sync-client.ts';
import { revokeDevice } from '../../../sync/cloud/use-cases/enrollment.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { startTestServer, seedDemoTenant, type TestServer } from '../../helpers/server.ts';
import { cloudCount, hq, localCounts, syncClient } from '../../helpers/sync.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let db: Db;
let deviceId: string;
let queueId: string;
let serviceId: string;
let token: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  serviceId = await hq.service(cloud, acme.tenantId, 'Accounts');
  queueId = await hq.queue(cloud, acme.tenantId, acme.siteId, serviceId, 'A');
  t = await startTestServer();
  await seedDemoTenant(t);
  db = t.server.deps.db;
  const client = syncClient(db, cloud);
  deviceId = (await client.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId))).device_id;
  await client.syncOnce();
  token = await t.login(acme.adminEmail, acme.adminPassword);
});
afterAll(async () => {
  await t?.close();
  await cloud?.stop();
});

/** Branch-owned rows to push and HQ changes to pull, so every crash point is on the path. */
async function writeBothSides(round: number): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    expect((await t.api('POST', '/api/v1/tenants/acme/tickets/', { token, body: { queue: queueId } })).status).toBe(201);
  }
  await t.api('POST', '/api/v1/tenants/acme/customers/', { token, body: { first_name: `Round ${round}`, phone: `+2217700${String(round).padStart(5, '0')}` } });
  await hq.renameService(cloud, acme.tenantId, serviceId, `Accounts ${round}`);
  await hq.template(cloud, acme.tenantId, `round_${round}`, `Round ${round}`);
}

async function expectConverged(round: number): Promise<void> {
  expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.sqlite.prepare('SELECT count(*) FROM sync_outbox').pluck().get()).toBe(0);
  const local = localCounts(db);
  for (const table of ['ticket', 'ticket_event', 'audit_log'] as const) {
    expect(await cloudCount(cloud, table, deviceId), table).toBe(local[table]);
  }
  // Every outbox row this database ever wrote was applied exactly once: none twice, none skipped.
  const written = Number(db.sqlite.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'`).pluck().get());
  const device = await cloud.db.db.selectFrom('device').select(['last_applied_seq', 'rows_applied', 'rows_rejected']).where('id', '=', deviceId).executeTakeFirstOrThrow();
  expect({ last: Number(device.last_applied_seq), applied: Number(device.rows_applied), rejected: Number(device.rows_rejected) })
    .toEqual({ last: written, applied: written, rejected: 0 });
  expect(db.sqlite.prepare('SELECT name FROM service WHERE id = ?').pluck().get(serviceId)).toBe(`Accounts ${round}`);
  expect(db.sqlite.prepare('SELECT body FROM notification_template WHERE key = ?').pluck().get(`round_${round}`)).toBe(`Round ${round}`);
}

describe('crashes at every point of a cycle', () => {
  CLIENT_FAULT_POINTS.forEach((point, round) => {
    it(`converges with no loss and no duplicate after a crash at ${point}`, async () => {
      await writeBothSides(round);
      let struck = false;
      const crashing = syncClient(db, cloud, {
        batchRows: 2, pullLimit: 2,
        faults: { at: (p) => {
          if (p === point && !struck) {
            struck = true;
            throw new Error(`crash at ${p}`);
          }
        } },
      });
      await expect(crashing.syncOnce()).rejects.toThrow(`crash at ${point}`);
      expect(struck).toBe(true);
      // A new process: a fresh client on the same database.
      const result = await syncClient(db, cloud, { batchRows: 2, pullLimit: 2 }).syncOnce();
      expect(result.rejected).toBe(0);
      await expectConverged(round);
    });
  });
});

describe('failures the manager must see', () => {
  it('is offline with the reason when the cloud cannot be reached, and keeps every row', async () => {
    await writeBothSides(100);
    const depth = Number(db.sqlite.prepare('SELECT count(*) FROM sync_outbox').pluck().get());
    const client = syncClient(db, { url: 'http://127.0.0.1:9' });
    const error = await client.syncOnce().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncFailure);
    expect(client.status()).toMatchObject({ state: 'offline', outbox_depth: depth, last_error: expect.stringMatching(/Cannot reach the cloud/) });
    expect(client.status().oldest_unsent_age_ms).toBeGreaterThanOrEqual(0);
    await syncClient(db, cloud).syncOnce();
  });

  it('stops with a clear error when HQ revokes the branch, and uploads nothing more', async () => {
    await writeBothSides(101);
    const before = await cloudCount(cloud, 'ticket', deviceId);
    expect(await revokeDevice(cloud.deps, acme.tenantId, deviceId)).toBe(true);
    const client = syncClient(db, cloud);
    await expect(client.syncOnce()).rejects.toMatchObject({ kind: 'error', code: 'device-revoked' });
    expect(client.status()).toMatchObject({ state: 'error', last_error: 'HQ has revoked this branch: enroll it again with a new token.' });
    expect(client.status().outbox_depth).toBeGreaterThan(0);
    expect(await cloudCount(cloud, 'ticket', deviceId)).toBe(before);
  });
});
