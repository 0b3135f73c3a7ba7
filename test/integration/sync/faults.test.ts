import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import { MIGRATIONS } from '../../../branch-server/db/migrations/index.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { tickBranchHlc } from '../../../branch-server/db/repositories/sync-state.repository.ts';
import { parseHlc } from '../../../sync/protocol/hlc.ts';
import { CLIENT_FAULT_POINTS, SyncFailure } from '../../../sync/client/sync-client.ts';
import { httpTransport, type SyncTransport } from '../../../sync/client/transport.ts';
import { MAX_PUSH_BYTES, MAX_PUSH_ROWS } from '../../../sync/protocol/version.ts';
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
async function writeBothSides(round: number, options: { customer?: boolean } = {}): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    expect((await t.api('POST', '/api/v1/tenants/acme/tickets/', { token, body: { queue: queueId } })).status).toBe(201);
  }
  if (options.customer ?? true) {
    await t.api('POST', '/api/v1/tenants/acme/customers/', { token, body: { first_name: `Round ${round}`, phone: `+2217700${String(round).padStart(5, '0')}` } });
  }
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

describe('bounded batches and dead letters', () => {
  it('pushes in batches of at most 500 rows and 1 MiB, dead-letters an invalid row and an oversize one without blocking the rest', async () => {
    const insert = db.sqlite.prepare(`INSERT INTO sync_outbox (mutation_id, tenant_id, entity, entity_id, op, payload, created_at) VALUES (?, ?, ?, ?, 'insert', ?, ?)`);
    const now = Date.now();
    const event = (i: number, padding: number) => {
      const id = uuidv7(now);
      return [uuidv7(now), acme.tenantId, 'ticket_event', id, JSON.stringify({
        id, tenant_id: acme.tenantId, ticket_id: uuidv7(now), type: 'ticket.note', to_status: 'en_attente', created_at: now + i, data: 'x'.repeat(padding),
      }), now] as const;
    };
    db.tx(() => {
      for (let i = 0; i < 300; i += 1) insert.run(...event(i, 6_000));
      const bad = uuidv7(now);
      insert.run(uuidv7(now), acme.tenantId, 'ticket', bad, JSON.stringify({ id: bad, tenant_id: acme.tenantId, number: 'no queue, no site' }), now);
      insert.run(...event(300, 1_200_000));
      for (let i = 301; i < 1_000; i += 1) insert.run(...event(i, 10));
    });
    const pushes: { rows: number; bytes: number }[] = [];
    const base = httpTransport(cloud.url, { timeoutMs: 10_000, schemaVersion: Object.keys(MIGRATIONS).length });
    const recording: SyncTransport = (req) => {
      if (req.path === '/sync/v1/push') pushes.push({ rows: (req.body as { rows: unknown[] }).rows.length, bytes: Buffer.byteLength(JSON.stringify(req.body)) });
      return base(req);
    };
    const client = syncClient(db, cloud, { transport: recording });
    const result = await client.syncOnce();
    expect(result.rejected).toBe(2);
    expect(pushes.every((p) => p.rows <= MAX_PUSH_ROWS && p.bytes <= MAX_PUSH_BYTES)).toBe(true);
    expect(pushes.some((p) => p.rows === MAX_PUSH_ROWS)).toBe(true);
    expect(Math.max(...pushes.map((p) => p.bytes))).toBeGreaterThan(MAX_PUSH_BYTES * 0.9);
    expect(client.status()).toMatchObject({ outbox_depth: 0, rejected_count: 2 });
    const rejected = db.sqlite.prepare('SELECT entity, length(payload) AS bytes, error FROM sync_rejected ORDER BY seq').all() as { entity: string; bytes: number; error: string }[];
    expect(rejected.map((r) => r.entity)).toEqual(['ticket', 'ticket_event']);
    // The oversize row is kept whole at the branch, for someone to look at.
    expect(rejected[1]!.bytes).toBeGreaterThan(1_200_000);
    // Every row of the stream was taken exactly once: applied, or dead-lettered at the cloud too.
    const written = Number(db.sqlite.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'`).pluck().get());
    const device = await cloud.db.db.selectFrom('device').select(['last_applied_seq', 'rows_applied', 'rows_rejected']).where('id', '=', deviceId).executeTakeFirstOrThrow();
    expect({ last: Number(device.last_applied_seq), taken: Number(device.rows_applied) + Number(device.rows_rejected), rejected: Number(device.rows_rejected) })
      .toEqual({ last: written, taken: written, rejected: 2 });
    const letters = await cloud.db.db.selectFrom('sync_dead_letter').select('entity').where('device_id', '=', deviceId).orderBy('seq').execute();
    expect(letters.map((l) => l.entity)).toEqual(['ticket', 'ticket_event']);
  }, 60_000);
});

describe('a wrong branch clock', () => {
  it.each([['three days behind', -3 * 86_400_000, 201], ['two hours ahead', 2 * 3_600_000, 202], ['reset to 2016', Date.UTC(2016, 0, 1) - Date.now(), 203]])(
    'syncs with the clock %s, measures the offset, and stamps customer edits in the cloud\'s time', async (_label, skew, round) => {
      // (No customer edit through the server here: its clock is not skewed, the sync client's is.)
      await writeBothSides(round, { customer: false });
      const branchNow = () => Date.now() + skew;
      const client = syncClient(db, cloud, { now: branchNow });
      await client.syncOnce();
      const status = client.status();
      expect(status).toMatchObject({ state: 'online', outbox_depth: 0 });
      expect(Math.abs(status.clock_offset_ms! + skew)).toBeLessThan(5_000);
      // A customer edit made now at this branch sorts with the cloud's present, not the branch's.
      const stamp = db.tx(() => tickBranchHlc(db, branchNow()));
      expect(Math.abs(parseHlc(stamp).ms - Date.now())).toBeLessThan(5_000);
    },
  );
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

  it('stops with a clear error when HQ revokes the branch, uploads nothing more, and carries on once enrolled again', async () => {
    await writeBothSides(101);
    const before = await cloudCount(cloud, 'ticket', deviceId);
    expect(await revokeDevice(cloud.deps, acme.tenantId, deviceId)).toBe(true);
    const client = syncClient(db, cloud);
    await expect(client.syncOnce()).rejects.toMatchObject({ kind: 'error', code: 'device-revoked' });
    expect(client.status()).toMatchObject({ state: 'error', last_error: 'HQ has revoked this branch: enroll it again with a new token.' });
    expect(client.status().outbox_depth).toBeGreaterThan(0);
    expect(await cloudCount(cloud, 'ticket', deviceId)).toBe(before);

    // HQ issues a new token: the branch enrolls again as a new device, keeps its data and uploads the rest.
    const again = await client.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    expect(again.device_id).not.toBe(deviceId);
    expect(again.tenant.id).toBe(acme.tenantId);
    await client.syncOnce();
    expect(client.status()).toMatchObject({ state: 'online', outbox_depth: 0, last_error: null });
    const inCloud = await cloud.db.db.selectFrom('ticket').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', acme.tenantId).executeTakeFirstOrThrow();
    expect(Number(inCloud.n)).toBe(localCounts(db).ticket);
    expect(db.sqlite.prepare('SELECT count(*) FROM tenant').pluck().get()).toBe(1);
    expect(db.sqlite.prepare(`SELECT count(*) FROM audit_log WHERE action = 'sync.enrolled'`).pluck().get()).toBe(2);
  });
});
