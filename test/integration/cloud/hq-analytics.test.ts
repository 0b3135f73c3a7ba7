import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient } from '../../helpers/hq.ts';
import { buildWorld, expectedFigures, uploadWorld, type Filter, type HqWorld } from '../../helpers/hq-dataset.ts';

/**
 * HQ analytics against a known synthetic history uploaded through the sync push route: every figure
 * the API answers from its rollups is compared with the same figure computed ticket by ticket here.
 */

let cloud: TestCloud;
let acme: SeededCloudTenant;
let globex: SeededCloudTenant;
let admin: HqClient;
let world: HqWorld;
const FIRST = '2026-03-02';
const LAST = '2026-03-11';

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  globex = await seedCloudTenant(cloud, 'globex');
  admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
  world = await buildWorld(admin, acme, FIRST, 10, 60);
  await uploadWorld(cloud, acme, world);
  // Another tenant's history, on the same days: it must never show in acme's figures.
  const globexAdmin = await HqClient.signIn(cloud.url, globex.adminEmail, globex.adminPassword);
  await uploadWorld(cloud, globex, await buildWorld(globexAdmin, globex, FIRST, 3, 40, 99));
}, 120_000);
afterAll(async () => cloud?.stop());

async function report(filter: Partial<Filter>, client = admin, slug = 'acme') {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
  return client.get(`/api/v1/tenants/${slug}/reports/analytics/?${query}`);
}

function checkAgainst(body: any, expected: ReturnType<typeof expectedFigures>, withPercentiles = true) {
  const t = body.totals;
  expect({
    arrivals: t.arrivals, called: t.called, served: t.served, no_show: t.no_show, abandoned: t.abandoned, sla_met: t.sla_met,
    avg_wait_seconds: t.avg_wait_seconds, avg_service_seconds: t.avg_service_seconds,
  }).toEqual({
    arrivals: expected.arrivals, called: expected.called, served: expected.served, no_show: expected.no_show, abandoned: expected.abandoned,
    sla_met: expected.sla_met, avg_wait_seconds: expected.avg_wait_seconds, avg_service_seconds: expected.avg_service_seconds,
  });
  if (withPercentiles) {
    expect([t.median_wait_seconds, t.p90_wait_seconds]).toEqual([expected.median_wait_seconds, expected.p90_wait_seconds]);
    expect(new Map(body.heatmap.map((c: any) => [`${c.weekday}:${c.hour}`, c.arrivals]))).toEqual(expected.heat);
  }
  expect(new Map(body.daily.filter((d: any) => d.arrivals > 0).map((d: any) => [d.day, d.arrivals]))).toEqual(expected.perDay);
  expect(body.daily.reduce((a: number, d: any) => a + d.served, 0)).toBe(expected.served);
  expect(body.sites.reduce((a: number, s: any) => a + s.arrivals, 0)).toBe(expected.arrivals);
  expect({ responses: body.feedback.responses, csat_avg: body.feedback.csat_avg, nps: body.feedback.nps }).toEqual(expected.feedback);
}

describe('HQ analytics', () => {
  it('answers the whole period across branches with the figures computed ticket by ticket', async () => {
    const res = await report({ from: FIRST, to: LAST });
    expect(res.status).toBe(200);
    const expected = expectedFigures(world, { from: FIRST, to: LAST });
    expect(expected.arrivals).toBe(600);
    checkAgainst(res.body, expected);
    expect(res.body.totals.sla_rate).toBeCloseTo(expected.sla_met / expected.called, 4);
    expect(res.body.sites.map((s: any) => s.site_name)).toEqual(['Dakar Plateau', 'Paris Opéra']);
    expect(res.body.agents).toHaveLength(2);
    expect(res.body.agents.reduce((a: number, g: any) => a + g.called, 0)).toBe(expected.called);
    expect(res.body.feedback.comments.length).toBeGreaterThan(0);
  });

  it.each([
    ['a site', (w: HqWorld) => ({ site: w.sites[1]!.id })],
    ['a service', (w: HqWorld) => ({ service: w.services[1]!.id })],
    ['a queue and a channel', (w: HqWorld) => ({ queue: w.queues[0]!.id, channel: 'kiosk' })],
    ['three days', () => ({ from: '2026-03-04', to: '2026-03-06' })],
  ])('changes every figure correctly when filtered by %s', async (_name, make) => {
    const filter: Filter = { from: FIRST, to: LAST, ...make(world) };
    const res = await report(filter);
    expect(res.status).toBe(200);
    const expected = expectedFigures(world, filter);
    expect(expected.arrivals).toBeGreaterThan(0);
    expect(expected.arrivals).toBeLessThan(600);
    checkAgainst(res.body, expected);
  });

  it.each([
    ['whole months and the days around them', '2026-02-20', '2026-04-03', false],
    ['a whole month and a site', '2026-03-01', '2026-03-31', true],
  ] as const)('reads %s (monthly and daily rollups) with the same figures', async (_name, from, to, bySite) => {
    const filter: Filter = { from, to, ...(bySite ? { site: world.sites[1]!.id } : {}) };
    const res = await report(filter);
    expect(res.status).toBe(200);
    const expected = expectedFigures(world, filter);
    checkAgainst(res.body, expected);
    const agentCalls = res.body.agents.reduce((a: number, g: any) => a + g.called, 0);
    expect(agentCalls).toBe(expected.called);
    // The service and channel breakdowns, each row against the same report filtered by it.
    const pick = (r: any) => ({
      arrivals: r.arrivals, called: r.called, served: r.served, no_show: r.no_show, abandoned: r.abandoned, sla_met: r.sla_met,
      avg_wait_seconds: r.avg_wait_seconds, avg_service_seconds: r.avg_service_seconds,
    });
    expect(res.body.services.length).toBeGreaterThan(0);
    for (const row of res.body.services) expect(pick(row)).toEqual(pick(expectedFigures(world, { ...filter, service: row.service })));
    expect(res.body.channels.length).toBeGreaterThan(1);
    for (const row of res.body.channels) expect(row.arrivals).toBe(expectedFigures(world, { ...filter, channel: row.channel }).arrivals);
  });

  it("filters by agent: only the tickets that agent called, with that agent's productivity", async () => {
    const filter: Filter = { from: FIRST, to: LAST, agent: world.agents[0]! };
    const res = await report(filter);
    expect(res.status).toBe(200);
    const expected = expectedFigures(world, filter);
    checkAgainst(res.body, expected, false);
    expect(res.body.agents).toEqual([expect.objectContaining({ agent: world.agents[0], called: expected.called, served: expected.served })]);
    expect(res.body.heatmap).toEqual([]);
  });

  it("counts an agent's pauses and their time by reason from the branch's audit of status changes", async () => {
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await device.signIn();
    const agent = world.agents[1]!;
    const at = (hhmm: string) => Date.parse(`2026-03-05T${hhmm}:00Z`); // Dakar is UTC
    const changes: [string, string, string][] = [
      ['10:00', 'paused', 'déjeuner'], ['10:20', 'available', ''], ['15:00', 'paused', 'formation'], ['15:05', 'busy', ''],
      ['16:00', 'paused', 'déjeuner'], ['16:10', 'available', ''],
    ];
    const hex = (i: number) => String(i).padStart(64, '0');
    const rows = changes.map(([time, status, reason], i) => {
      const payload = {
        id: uuidv7(at(time)), tenant_id: acme.tenantId, action: 'agent.status_changed', entity: 'agent', entity_id: agent,
        before: null, after: JSON.stringify({ status, status_reason: reason, counter: '1' }), created_at: at(time), prev_hash: hex(i), hash: hex(i + 1),
      };
      return { seq: i + 1, mutation_id: uuidv7(), entity: 'audit_log', entity_id: payload.id, op: 'insert', payload, created_at: payload.created_at };
    });
    const pushed = await device.call('POST', '/sync/v1/push', { stream_id: randomUUID(), rows, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 't' });
    expect(pushed.body.applied).toBe(rows.length);
    const res = await report({ from: FIRST, to: LAST, agent });
    expect(res.body.agents).toHaveLength(1);
    expect(res.body.agents[0]).toMatchObject({
      pauses: 3, paused_seconds: (20 + 5 + 10) * 60,
      pause_reasons: [{ reason: 'déjeuner', pauses: 2, seconds: 30 * 60 }, { reason: 'formation', pauses: 1, seconds: 5 * 60 }],
    });
    // Outside the period, none.
    expect((await report({ from: '2026-03-06', to: LAST, agent })).body.agents[0].pauses).toBe(0);
  });

  it('keeps the rollups exact when a branch uploads a later version of a ticket, and when one is deleted', async () => {
    const before = (await report({ from: FIRST, to: LAST })).body.totals;
    // A served ticket is re-uploaded as a no-show (a correction at the branch): one fewer served, one more no-show.
    const target = world.tickets.find((t) => t.status === 'clos' && !world.feedback.some((f) => f.ticket === t.id))!;
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => trx.updateTable('ticket').set({ status: 'no_show', started_at: null, ended_at: null })
      .where('id', '=', target.id).execute());
    const after = (await report({ from: FIRST, to: LAST })).body.totals;
    expect([after.served, after.no_show, after.arrivals]).toEqual([before.served - 1, before.no_show + 1, before.arrivals]);
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => trx.updateTable('ticket')
      .set({ status: 'clos', started_at: target.started_at, ended_at: target.ended_at }).where('id', '=', target.id).execute());
    expect((await report({ from: FIRST, to: LAST })).body.totals).toEqual(before);
    // Deleted (retention) and put back: out of every figure, then in again.
    const row = await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => trx.deleteFrom('ticket').where('id', '=', target.id).returningAll().executeTakeFirstOrThrow());
    const without = (await report({ from: FIRST, to: LAST })).body.totals;
    expect([without.arrivals, without.served, without.called]).toEqual([before.arrivals - 1, before.served - 1, before.called - 1]);
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => trx.insertInto('ticket').values(row).execute());
    expect((await report({ from: FIRST, to: LAST })).body.totals).toEqual(before);
  });

  it('refuses anonymous callers', async () => {
    for (const path of ['reports/analytics/', 'reports/live/', 'branches/receipts/?entity=service']) {
      expect((await fetch(`${cloud.url}/api/v1/tenants/acme/${path}`)).status).toBe(401);
    }
  });

  it('refuses a bad period or an unknown reference with a 400 and the field', async () => {
    const backwards = await report({ from: LAST, to: FIRST });
    expect(backwards.status).toBe(400);
    expect(backwards.body.code).toBe('validation-failed');
    const tooLong = await report({ from: '2025-01-01', to: '2026-03-01' });
    expect(tooLong.status).toBe(400);
    const foreign = await report({ from: FIRST, to: LAST, site: globex.siteId });
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('invalid-reference');
    expect((await report({ from: '2026-02-30', to: LAST })).status).toBe(400);
  });

  it("never shows another tenant's figures: its admin is refused, and acme's figures hold only acme's tickets", async () => {
    const globexAdmin = await HqClient.signIn(cloud.url, globex.adminEmail, globex.adminPassword);
    expect((await report({ from: FIRST, to: LAST }, globexAdmin, 'acme')).status).toBe(403);
    expect((await globexAdmin.get('/api/v1/tenants/acme/reports/live/')).status).toBe(403);
    const own = await report({ from: FIRST, to: LAST }, globexAdmin, 'globex');
    expect(own.body.totals.arrivals).toBe(120);
  });

  it('lets an analyst read the reports but not change the configuration', async () => {
    const made = await admin.post('/api/v1/tenants/acme/members/', { email: 'ana@acme.test', password: 'analyst-password', role: 'analyst' });
    expect(made.status).toBe(201);
    const analyst = await HqClient.signIn(cloud.url, 'ana@acme.test', 'analyst-password');
    expect((await report({ from: FIRST, to: LAST }, analyst)).status).toBe(200);
    expect((await analyst.post('/api/v1/tenants/acme/queues/services/', { name: 'Nope' })).status).toBe(403);
    expect((await analyst.patch(`/api/v1/tenants/acme/sites/${acme.siteId}/`, { name: 'Nope' })).status).toBe(403);
    expect((await analyst.post('/api/v1/tenants/acme/branches/enroll-tokens/', { site: acme.siteId })).status).toBe(403);
  });
});

describe('HQ live view and receipts', () => {
  it("shows each site's queues now: waiting, called, longest wait and the next numbers", async () => {
    const now = Date.now();
    const queue = world.queues[0]!;
    await cloud.deps.cloud.withTenant(acme.tenantId, async (trx) => {
      const device = await trx.selectFrom('device').select('id').where('site_id', '=', queue.site).executeTakeFirstOrThrow();
      for (const [i, ageMs, status] of [[1, 300_000, 'en_attente'], [2, 120_000, 'en_attente'], [3, 60_000, 'appele']] as const) {
        const id = crypto.randomUUID();
        await trx.insertInto('ticket').values({
          id, tenant_id: acme.tenantId, site_id: queue.site, device_id: device.id, queue_id: queue.id, number: `A90${i}`, status, channel: 'kiosk',
          priority: 0, agent_id: null, customer_id: null, created_at: now - ageMs, called_at: status === 'appele' ? now : null, started_at: null,
          ended_at: null, updated_at: now, clock_offset_ms: 0, received_at: now, data: {},
        }).execute();
      }
    });
    const res = await admin.get(`/api/v1/tenants/acme/reports/live/?site=${queue.site}`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    const live = res.body[0].queues.find((q: any) => q.queue === queue.id);
    expect(live).toMatchObject({ waiting: 2, called: 1, arrivals_today: 3, next_numbers: ['A901', 'A902'] });
    expect(live.longest_wait_seconds).toBeGreaterThanOrEqual(300);
    expect(res.body[0]).toMatchObject({ waiting: 2, called: 1, site_name: 'Dakar Plateau', latitude: 14.67 });
  });

  it('tells which branches have received the latest change of each service', async () => {
    const made = await admin.post('/api/v1/tenants/acme/queues/services/', { name: 'Change', sla_seconds: 120 });
    const res = await admin.get('/api/v1/tenants/acme/branches/receipts/?entity=service');
    expect(res.status).toBe(200);
    expect(res.body.branches).toHaveLength(3);
    const item = res.body.items.find((i: any) => i.entity_id === made.body.id);
    expect(item.received_by).toEqual([]);
    // The branch confirms the feed up to the head (its pull's cursor): now it has received it.
    await cloud.deps.cloud.db.updateTable('device').set({ feed_cursor: item.seq }).where('id', '=', res.body.branches[0].branch).execute();
    const again = await admin.get('/api/v1/tenants/acme/branches/receipts/?entity=service');
    expect(again.body.items.find((i: any) => i.entity_id === made.body.id).received_by).toEqual([res.body.branches[0].branch]);
    expect((await admin.get('/api/v1/tenants/acme/branches/receipts/?entity=ticket')).status).toBe(400);
  });

  it("counts a staff member's role change as a change of their row, though it travels as the membership's", async () => {
    const made = await admin.post('/api/v1/tenants/acme/members/', { email: 'rama@acme.test', password: 'rama-password-123', role: 'agent' });
    expect(made.status).toBe(201);
    const staff = async () => (await admin.get('/api/v1/tenants/acme/branches/receipts/?entity=staff')).body;
    const first = (await staff()).items.find((i: any) => i.entity_id === made.body.id);
    expect(first.received_by).toEqual([]);
    // Every branch has pulled past the new member: all of them have it.
    await cloud.deps.cloud.db.updateTable('device').set({ feed_cursor: first.seq }).where('tenant_id', '=', acme.tenantId).execute();
    const received = await staff();
    expect(received.items.find((i: any) => i.entity_id === made.body.id).received_by).toHaveLength(received.branches.length);

    // The role changes at HQ: the row's latest change is now the membership's, which no branch has yet.
    expect((await admin.patch(`/api/v1/tenants/acme/members/${made.body.id as string}/`, { role: 'manager' })).status).toBe(200);
    const after = (await staff()).items.find((i: any) => i.entity_id === made.body.id);
    expect(after.seq).toBeGreaterThan(first.seq);
    expect(after.received_by).toEqual([]);
  });
});
