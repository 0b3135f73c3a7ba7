import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import { MIGRATIONS } from '../../../branch-server/db/migrations/index.ts';
import type { SyncClient } from '../../../sync/client/sync-client.ts';
import { httpTransport, type SyncResponse, type SyncTransport } from '../../../sync/client/transport.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type TestServer } from '../../helpers/server.ts';
import { hq, syncClient } from '../../helpers/sync.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let db: Db;
let deviceId: string;
let real: SyncTransport;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  t = await startTestServer();
  await seedDemoTenant(t);
  db = t.server.deps.db;
  deviceId = (await syncClient(db, cloud).enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId))).device_id;
  real = httpTransport(cloud.url, { timeoutMs: 10_000, schemaVersion: Object.keys(MIGRATIONS).length });
});
afterAll(async () => {
  await t?.close();
  await cloud?.stop();
});

async function until(ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the sync loop', () => {
  it('abandons a cycle stuck past the watchdog limit, starts another that completes, and the stuck one commits nothing when it wakes', async () => {
    await hq.service(cloud, acme.tenantId, 'Before the hang');
    // The first pull reaches the cloud and is answered, but the answer is held up on the way back.
    let release: (() => void) | null = null;
    let held: Promise<SyncResponse> | null = null;
    const codes: (string | null)[] = [];
    const transport: SyncTransport = (req) => {
      // What the branch shows as each request leaves: the cycle restarted after the watchdog shows
      // 'stuck' until it succeeds (sampling the status on a timer can miss so short a window).
      codes.push(client.status().last_error_code);
      if (req.path.startsWith('/sync/v1/pull') && held === null) {
        const answer = real(req);
        held = answer;
        return new Promise((resolve) => { release = () => resolve(answer); });
      }
      return real(req);
    };
    const client: SyncClient = syncClient(db, cloud, { transport, watchdogMs: 400, intervalMs: 60_000, backoffBaseMs: 10, backoffCapMs: 50 });
    const cursor = () => Number(db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'cursor'`).pluck().get());
    client.start();
    try {
      await until(() => {
        codes.push(client.status().last_error_code);
        return client.status().state === 'online' && client.status().outbox_depth === 0;
      });
      expect(held).not.toBeNull();
      expect(codes).toContain('stuck');
      // HQ changes more; the loop (woken by hand) moves the cursor past what the stuck page knew.
      await hq.service(cloud, acme.tenantId, 'After the hang');
      await client.syncOnce();
    } finally {
      client.stop();
    }
    const moved = cursor();
    expect(db.sqlite.prepare('SELECT count(*) FROM service WHERE name = ?').pluck().get('After the hang')).toBe(1);

    // The stuck answer arrives at last: an older page. The abandoned cycle must not apply it.
    const late = await held!;
    expect(late.status).toBe(200);
    expect((late.body as { cursor: number }).cursor).toBeLessThan(moved);
    release!();
    await new Promise((r) => setTimeout(r, 100));
    expect(cursor()).toBe(moved);
    expect(db.sqlite.prepare('SELECT count(*) FROM sync_outbox').pluck().get()).toBe(0);
    const written = Number(db.sqlite.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'`).pluck().get());
    const device = await cloud.db.db.selectFrom('device').select(['last_applied_seq', 'rows_applied']).where('id', '=', deviceId).executeTakeFirstOrThrow();
    expect({ last: Number(device.last_applied_seq), applied: Number(device.rows_applied) }).toEqual({ last: written, applied: written });
  });

  it('backs off exponentially with jitter while the cloud is down, capped, and a local write does not cut the wait short', async () => {
    const attempts: number[] = [];
    const down: SyncTransport = async () => {
      attempts.push(performance.now());
      throw new Error('connect ECONNREFUSED');
    };
    // random() = 0.5: each wait is half its window; windows 40, 80, 160, 320, 320… (base 40, cap 320).
    const client = syncClient(db, cloud, { transport: down, random: () => 0.5, backoffBaseMs: 40, backoffCapMs: 320, intervalMs: 60_000, nudgeDelayMs: 0 });
    client.start();
    try {
      await until(() => attempts.length >= 3);
      // A write lands while backing off: the loop does not retry at once.
      const before = attempts.length;
      client.nudge();
      await new Promise((r) => setTimeout(r, 15));
      expect(attempts.length).toBe(before);
      await until(() => attempts.length >= 7);
    } finally {
      client.stop();
    }
    const gaps = attempts.slice(1, 7).map((at, i) => at - attempts[i]!);
    const expected = [20, 40, 80, 160, 160, 160];
    gaps.forEach((gap, i) => expect(gap, `wait ${i + 1}`).toBeGreaterThanOrEqual(expected[i]! - 2));
    // Capped: no wait grows past the cap's window (with room for a loaded machine's late timers).
    expect(Math.max(...gaps)).toBeLessThan(320 + 250);
    expect(client.status()).toMatchObject({ state: 'offline', last_error_code: 'unreachable' });
  });
});
