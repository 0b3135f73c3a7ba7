import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../branch-server/ids.ts';
import { MAX_PUSH_BYTES, MAX_PUSH_ROWS } from '../../sync/protocol/version.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { FULL_WEEK, loadOfflineWeek } from '../helpers/offline-week.ts';
import { expectConverged, seedCloudQueues } from '../helpers/sync-oracle.ts';
import { healAndDrain, rng, SimBranch, targetOf } from '../helpers/sync-sim.ts';

/**
 * Issue 6, tests 8 and 9: a branch back from a long time offline drains its backlog in bounded
 * batches while it keeps issuing tickets; one permanently invalid row is dead-lettered without
 * holding up the rest. (The full week — 50,000 tickets, 200,000 events, 20,000 audit rows — and
 * its drain rate are in `npm run bench`; here a tenth of it, SYNC_WEEK_SCALE to change.)
 */
const SCALE = Number(process.env['SYNC_WEEK_SCALE'] ?? 0.1);
let cloud: TestCloud;
let branch: SimBranch;
let tenantId: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  const tenant = await seedCloudTenant(cloud, 'drain');
  tenantId = tenant.tenantId;
  await seedCloudQueues(cloud.deps, tenantId, tenant.siteId);
  branch = await SimBranch.create('drain', targetOf(cloud), rng(8), { batchRows: 500, pullLimit: 500 });
  await branch.enroll(await enrollmentToken(cloud, tenantId, tenant.siteId));
  await healAndDrain([branch]);
}, 120_000);
afterAll(async () => {
  branch?.close();
  await cloud?.stop();
});

const oracle = () => expectConverged(cloud.db, tenantId, [{ name: branch.name, db: branch.db, tenantId, deviceId: branch.deviceId, siteId: branch.siteId }]);

describe('draining a long offline backlog', () => {
  it('uploads a week of history in bounded batches while the branch keeps issuing tickets', async () => {
    const queueIds = branch.db.sqlite.prepare(`SELECT id FROM queue WHERE site_id = ? AND status = 'open'`).pluck().all(branch.siteId) as string[];
    loadOfflineWeek(branch.db, { tenantId, siteId: branch.siteId, queueIds }, {
      tickets: Math.round(FULL_WEEK.tickets * SCALE), eventsPerTicket: FULL_WEEK.eventsPerTicket, auditRows: Math.round(FULL_WEEK.auditRows * SCALE),
    });
    const backlog = branch.client.status().outbox_depth;
    const lastOfBacklog = Number(branch.db.sqlite.prepare('SELECT max(seq) FROM sync_outbox').pluck().get());
    const backlogLeft = () => Number(branch.db.sqlite.prepare('SELECT count(*) FROM sync_outbox WHERE seq <= ?').pluck().get(lastOfBacklog));
    expect(backlog).toBeGreaterThan(20_000 * SCALE * 10 - 1);

    let draining = true;
    let issued = 0;
    const kiosk = (async () => {
      while (draining) {
        branch.write('ticket');
        issued += 1;
        await new Promise((r) => setTimeout(r, 60)); // about 1,000 tickets a minute: a morning rush
      }
    })();
    const started = performance.now();
    // The kiosk keeps adding rows: drained means the backlog that was there is gone.
    while (backlogLeft() > 0) expect(await branch.sync()).toBe('ok');
    const seconds = (performance.now() - started) / 1000;
    console.log(`drained ${backlog} rows in ${seconds.toFixed(1)} s (${Math.round(backlog / seconds)} rows/s) while issuing ${issued} tickets`);
    draining = false;
    await kiosk;
    await healAndDrain([branch]);

    expect(issued).toBeGreaterThan(0);
    const pushes = branch.network.pushes;
    expect(pushes.reduce((n, p) => n + p.rows, 0)).toBeGreaterThanOrEqual(backlog);
    expect(Math.max(...pushes.map((p) => p.rows))).toBeLessThanOrEqual(MAX_PUSH_ROWS);
    expect(Math.max(...pushes.map((p) => p.bytes))).toBeLessThanOrEqual(MAX_PUSH_BYTES);
    await oracle();
  }, 600_000);

  it('dead-letters one permanently invalid row and uploads the rows after it', async () => {
    const bad = uuidv7();
    branch.db.tx(() => {
      branch.db.sqlite.prepare(`INSERT INTO sync_outbox (mutation_id, tenant_id, entity, entity_id, op, payload, created_at)
        VALUES (?, ?, 'ticket', ?, 'insert', ?, ?)`).run(uuidv7(), tenantId, bad, JSON.stringify({ id: bad, tenant_id: tenantId, number: 42 }), Date.now());
    });
    for (let i = 0; i < 5; i += 1) branch.write('ticket');
    await healAndDrain([branch]);

    expect(branch.client.status().rejected_count).toBe(1);
    const rejected = branch.db.sqlite.prepare('SELECT entity_id, error FROM sync_rejected').all() as { entity_id: string; error: string }[];
    expect(rejected).toEqual([{ entity_id: bad, error: expect.stringContaining('site_id') }]);
    const dead = await cloud.db.db.selectFrom('sync_dead_letter').select('entity_id').where('device_id', '=', branch.deviceId).execute();
    expect(dead).toEqual([{ entity_id: bad }]);
    await oracle();
  }, 120_000);
});
