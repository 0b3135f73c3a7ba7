import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayTicketsSql } from '../../../branch-server/use-cases/daily-report.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/** Dakar is UTC+0 all year, so local times below read as UTC. */
const at = (day: number, hh: number, mm: number) => Date.UTC(2025, 2, day, hh, mm);

describe('daily report API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  let clock = at(9, 23, 0);
  const base = () => `/api/v1/tenants/${d.slug}/reports/daily/`;

  async function step(time: number, method: string, path: string, token: string, body?: unknown) {
    clock = time;
    const res = await t.api(method, `/api/v1/tenants/${d.slug}/${path}`, { token, body: body ?? {} });
    expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  beforeAll(async () => {
    t = await startTestServer({ now: () => clock, accessTokenTtlSeconds: 7 * 86_400 });
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
    const [qA, qB, qC] = d.demo.queues.map((q) => q.id);
    const admin = d.adminToken;
    const [agent1, agent2] = d.agentTokens as [string, string];
    const issue = (time: number, queue: string) => step(time, 'POST', 'tickets/', admin, { queue });

    // The evening before: served, but not part of the 10th.
    const late = await issue(at(9, 23, 50), qA!);
    await step(at(9, 23, 55), 'POST', 'agents/call-next/', agent1, { queue_id: qA });
    await step(at(9, 23, 58), 'POST', `tickets/${late.id}/close/`, agent1);

    const a1 = await issue(at(10, 9, 0), qA!);
    const b1 = await issue(at(10, 9, 0), qB!);
    await issue(at(10, 9, 1), qA!); // a2
    await step(at(10, 9, 4), 'POST', 'agents/call-next/', agent2, { queue_id: qB });
    await step(at(10, 9, 4), 'POST', `tickets/${b1.id}/start_service/`, agent2);
    await step(at(10, 9, 5), 'POST', 'agents/call-next/', agent1, { queue_id: qA });
    await step(at(10, 9, 5), 'POST', `tickets/${a1.id}/start_service/`, agent1);
    await step(at(10, 9, 10), 'POST', `tickets/${b1.id}/close/`, agent2);
    await step(at(10, 9, 15), 'POST', `tickets/${a1.id}/close/`, agent1);
    const a2 = await step(at(10, 9, 20), 'POST', 'agents/call-next/', agent1, { queue_id: qA });
    await step(at(10, 9, 22), 'POST', `tickets/${a2.id}/mark_no_show/`, agent1);
    await issue(at(10, 9, 30), qA!); // a3, still waiting at 10:00
    const b2 = await issue(at(10, 9, 30), qB!);
    await step(at(10, 9, 31), 'POST', 'agents/call-next/', agent2, { queue_id: qB });
    await step(at(10, 9, 32), 'POST', `tickets/${b2.id}/transfer/`, agent2, { target_queue_id: qC });
    // Another tenant's busy day never shows here.
    clock = at(10, 9, 40);
    await t.api('POST', `/api/v1/tenants/${other.slug}/tickets/`, { token: other.adminToken, body: { queue: other.demo.queues[0]!.id } });
    clock = at(10, 10, 0);
  });
  afterAll(() => t.close());

  it("reports the site's business day per queue, per agent and in total", async () => {
    const res = await t.api('GET', base(), { token: d.adminToken });
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r).toMatchObject({ date: '2025-03-10', site: d.demo.siteId, timezone: 'Africa/Dakar', from: '2025-03-10T00:00:00.000Z', to: '2025-03-11T00:00:00.000Z' });
    expect(r.totals).toEqual({
      issued: 5, transferred_in: 1, served: 2, no_show: 1, transferred: 1, open: 2,
      avg_wait_seconds: 435, median_wait_seconds: 240, p90_wait_seconds: 1140,
      avg_service_seconds: 480, median_service_seconds: 360, p90_service_seconds: 600,
      // met: A1, B1, B2; missed: A2 (called late), A3 and the transferred ticket (still waiting past SLA).
      sla_compliance_percent: 50,
    });
    const [qa, qb, qc] = r.queues;
    expect(qa).toMatchObject({
      prefix: 'A', issued: 3, served: 1, no_show: 1, open: 1, avg_wait_seconds: 720, median_wait_seconds: 300, p90_wait_seconds: 1140,
      avg_service_seconds: 600, sla_compliance_percent: 33.3,
    });
    expect(qb).toMatchObject({ prefix: 'B', issued: 2, served: 1, transferred: 1, open: 0, avg_wait_seconds: 150, median_wait_seconds: 60, p90_wait_seconds: 240, avg_service_seconds: 360, sla_compliance_percent: 100 });
    expect(qc).toMatchObject({ prefix: 'C', issued: 0, transferred_in: 1, open: 1, avg_wait_seconds: null, avg_service_seconds: null, sla_compliance_percent: 0 });
    expect(r.agents).toEqual([
      expect.objectContaining({ agent: d.demo.agents[0]!.userId, counter: 'Guichet 1', name: 'Agent 1', called: 2, served: 1, no_show: 1, transferred: 0, avg_wait_seconds: 720 }),
      expect.objectContaining({ agent: d.demo.agents[1]!.userId, counter: 'Guichet 2', called: 2, served: 1, transferred: 1, avg_wait_seconds: 150, avg_service_seconds: 360 }),
    ]);
  });

  it('reports another day on request, and nothing for a day without tickets', async () => {
    const before = await t.api('GET', `${base()}?date=2025-03-09&site=${d.demo.siteId}`, { token: d.adminToken });
    expect(before.body.totals).toMatchObject({ issued: 1, served: 1 });
    expect(before.body.agents).toHaveLength(1);
    const empty = await t.api('GET', `${base()}?date=2025-01-01`, { token: d.adminToken });
    expect(empty.body.totals).toMatchObject({ issued: 0, avg_wait_seconds: null, sla_compliance_percent: null });
    expect(empty.body.queues).toHaveLength(3);
  });

  it("follows the site's time zone, daylight saving included, and needs a site once there are several", async () => {
    const site = await t.api('POST', `/api/v1/tenants/${d.slug}/sites/`, { token: d.adminToken, body: { name: 'Harlem', timezone: 'America/New_York' } });
    // 9 March 2025 is the day New York springs forward: a 23-hour business day.
    const dst = await t.api('GET', `${base()}?date=2025-03-09&site=${site.body.id}`, { token: d.adminToken });
    expect(dst.body).toMatchObject({ from: '2025-03-09T05:00:00.000Z', to: '2025-03-10T04:00:00.000Z', queues: [], agents: [] });
    const ambiguous = await t.api('GET', base(), { token: d.adminToken });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.details).toEqual([{ field: 'site', message: 'required' }]);
  });

  it('refuses bad dates, foreign sites and agents', async () => {
    expect((await t.api('GET', `${base()}?date=2025-02-30&site=${d.demo.siteId}`, { token: d.adminToken })).status).toBe(400);
    const foreign = await t.api('GET', `${base()}?site=${other.demo.siteId}`, { token: d.adminToken });
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('invalid-reference');
    const agent = await t.api('GET', `${base()}?site=${d.demo.siteId}`, { token: d.agentTokens[0] });
    expect(agent.status).toBe(403);
    expect(agent.body.code).toBe('missing-scope');
  });

  it("reads the day through the (queue, created_at) index, not the ticket history", () => {
    const plan = t.server.deps.db.sqlite.prepare(`EXPLAIN QUERY PLAN ${dayTicketsSql(3)}`).all('a', 'b', 'c', 0, 1) as { detail: string }[];
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toContain('USING INDEX ticket_queue_created');
    expect(details).not.toMatch(/SCAN ticket\b/);
  });
});
