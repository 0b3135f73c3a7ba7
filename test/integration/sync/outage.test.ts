import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../branch-server/db/migrations/index.ts';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import type { LoopTimers } from '../../../sync/client/sync-client.ts';
import { httpTransport, type SyncTransport } from '../../../sync/client/transport.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { loadOfflineWeek } from '../../helpers/offline-week.ts';
import { seedCloudQueues } from '../../helpers/sync-oracle.ts';
import { rng } from '../../helpers/sync-sim.ts';
import { cloudCount, localCounts, syncClient } from '../../helpers/sync.ts';
import { seedDemoTenant, startTestServer, type TestServer } from '../../helpers/server.ts';

/**
 * Issue 6, test 9 (second half): a 10-minute cloud outage. The loop's idle waits run on virtual
 * timers, so ten minutes pass in a moment, but the clock the test reads is virtual time plus real
 * elapsed time: the uploads themselves are real HTTP to a real cloud and count in full.
 */
const WATCHDOG_MS = 119_000; // distinct from every backoff wait, so the timer list tells them apart

class VirtualTimers implements LoopTimers {
  #skipped = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; ms: number; fn: () => void }>();

  now = (): number => performance.now() + this.#skipped;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.#next++;
    this.#due.set(id, { at: this.now() + ms, ms, fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#due.delete(handle as number);
  };

  /** The loop is between cycles: its next cycle is scheduled and no watchdog is armed. */
  get idle(): boolean {
    const timers = [...this.#due.values()];
    return timers.length > 0 && timers.every((t) => t.ms !== WATCHDOG_MS);
  }

  /** Skips idle time to the next timer, fires it and waits (in real time) until the cycle it started is over. */
  async fireNext(): Promise<void> {
    const [id, timer] = [...this.#due.entries()].filter(([, t]) => t.ms !== WATCHDOG_MS).sort((a, b) => a[1].at - b[1].at)[0]!;
    this.#skipped += Math.max(0, timer.at - this.now());
    this.#due.delete(id);
    timer.fn();
    const deadline = performance.now() + 60_000;
    do {
      await new Promise((r) => setImmediate(r));
      if (performance.now() > deadline) throw new Error('a sync cycle did not finish');
    } while (!this.idle);
  }
}

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let db: Db;
let deviceId: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'outage');
  await seedCloudQueues(cloud.deps, acme.tenantId, acme.siteId);
  t = await startTestServer();
  await seedDemoTenant(t);
  db = t.server.deps.db;
  const first = syncClient(db, cloud);
  deviceId = (await first.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId))).device_id;
  await first.syncOnce();
}, 120_000);
afterAll(async () => {
  await t?.close();
  await cloud?.stop();
});

describe('a 10-minute cloud outage', () => {
  it('backs off while the cloud is down, without hammering it, and drains the backlog within 2 minutes of recovery', async () => {
    const queueIds = db.sqlite.prepare(`SELECT id FROM queue WHERE site_id = ? AND status = 'open'`).pluck().all(acme.siteId) as string[];
    expect(queueIds.length).toBeGreaterThan(0);
    // What the branch wrote during the outage: 2,000 tickets with 8,000 events and 1,000 audit rows.
    loadOfflineWeek(db, { tenantId: acme.tenantId, siteId: acme.siteId, queueIds }, { tickets: 2_000, eventsPerTicket: 4, auditRows: 1_000 });

    const timers = new VirtualTimers();
    const real = httpTransport(cloud.url, { timeoutMs: 10_000, schemaVersion: Object.keys(MIGRATIONS).length });
    let down = true;
    const attempts: number[] = [];
    const transport: SyncTransport = async (req) => {
      if (down) {
        attempts.push(timers.now());
        throw new Error('connect ECONNREFUSED');
      }
      return real(req);
    };
    // The production defaults: backoff from 1 s, capped at 60 s, full jitter (seeded here).
    const client = syncClient(db, cloud, { transport, timers, monotonic: timers.now, random: rng(6), watchdogMs: WATCHDOG_MS, intervalMs: 30_000 });
    client.start();
    try {
      const outageStart = timers.now();
      while (timers.now() - outageStart < 10 * 60_000) await timers.fireNext();
      const outage = client.status();
      expect(outage).toMatchObject({ state: 'offline', last_error_code: 'unreachable' });
      expect(outage.outbox_depth).toBeGreaterThanOrEqual(11_000);

      const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
      // Exponential, then capped at a minute: tens of attempts in ten minutes, not thousands.
      expect(attempts.length).toBeGreaterThanOrEqual(10);
      expect(attempts.length).toBeLessThanOrEqual(60);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000 + 1_000);
      expect(gaps.slice(-10).reduce((a, b) => a + b, 0) / 10).toBeGreaterThan(10_000);

      down = false;
      const recovered = timers.now();
      while (client.status().outbox_depth > 0) {
        await timers.fireNext();
        expect(timers.now() - recovered, 'drained within 2 minutes of recovery').toBeLessThanOrEqual(120_000);
      }
      expect(client.status()).toMatchObject({ state: 'online', outbox_depth: 0, last_error_code: null });
    } finally {
      client.stop();
    }
    const local = localCounts(db);
    for (const table of ['ticket', 'ticket_event', 'audit_log'] as const) {
      expect(await cloudCount(cloud, table, deviceId), table).toBe(local[table]);
    }
  }, 180_000);
});
