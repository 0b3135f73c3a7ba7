import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localHour } from '../../../branch-server/use-cases/daily-report.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('daily report: hour by hour', () => {
  let t: TestServer;
  let d: DemoTenant;
  let clock = Date.UTC(2025, 2, 9, 12, 0);

  async function step(time: number, method: string, path: string, token: string, body: unknown = {}) {
    clock = time;
    const res = await t.api(method, `/api/v1/tenants/${d.slug}/${path}`, { token, body });
    expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  beforeAll(async () => {
    t = await startTestServer({ now: () => clock, accessTokenTtlSeconds: 7 * 86_400 });
    d = await seedDemoTenant(t);
    // The branch moves to India (UTC+05:30): its hours are not UTC hours.
    await step(clock, 'PATCH', `sites/${d.demo.siteId}/`, d.adminToken, { timezone: 'Asia/Kolkata' });
    const [qA, qB, qC] = d.demo.queues.map((q) => q.id);
    const utc = (hh: number, mm: number) => Date.UTC(2025, 2, 10, hh, mm);
    const a1 = await step(utc(3, 40), 'POST', 'tickets/', d.adminToken, { queue: qA }); // 09:10 local
    await step(utc(3, 50), 'POST', 'tickets/', d.adminToken, { queue: qA }); // 09:20 local
    const b1 = await step(utc(8, 35), 'POST', 'tickets/', d.adminToken, { queue: qB }); // 14:05 local
    await step(utc(3, 44), 'POST', 'agents/call-next/', d.agentTokens[0]!, { queue_id: qA });
    await step(utc(3, 45), 'POST', `tickets/${a1.id}/start_service/`, d.agentTokens[0]!);
    await step(utc(3, 55), 'POST', `tickets/${a1.id}/close/`, d.agentTokens[0]!);
    // A transfer is not a new arrival: the hour it lands in counts no extra issue.
    await step(utc(8, 40), 'POST', 'agents/call-next/', d.agentTokens[1]!, { queue_id: qB });
    await step(utc(8, 41), 'POST', `tickets/${b1.id}/transfer/`, d.agentTokens[1]!, { target_queue_id: qC });
    clock = utc(12, 0);
  });
  afterAll(() => t.close());

  it("buckets the day's tickets by the local hour they were issued at the site", async () => {
    const res = await t.api('GET', `/api/v1/tenants/${d.slug}/reports/daily/?date=2025-03-10`, { token: d.adminToken });
    expect(res.status).toBe(200);
    const hours = res.body.hours as { hour: number; issued: number; served: number; avg_wait_seconds: number | null }[];
    expect(hours.map((h) => h.hour)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(hours.filter((h) => h.issued > 0 || h.served > 0)).toEqual([
      { hour: 9, issued: 2, served: 1, avg_wait_seconds: 240 },
      { hour: 14, issued: 1, served: 0, avg_wait_seconds: 300 },
    ]);
    expect(hours.reduce((sum, h) => sum + h.issued, 0)).toBe(res.body.totals.issued);
  });

  it('reads the hour on the local clock, daylight saving included', () => {
    // Paris, 30 March 2025: 01:30Z is 03:30 summer time (02:00 to 03:00 local never happened).
    expect(localHour(Date.UTC(2025, 2, 30, 0, 30), 'Europe/Paris')).toBe(1);
    expect(localHour(Date.UTC(2025, 2, 30, 1, 30), 'Europe/Paris')).toBe(3);
    expect(localHour(Date.UTC(2025, 2, 10, 18, 29), 'Asia/Kolkata')).toBe(23);
    expect(localHour(Date.UTC(2025, 2, 10, 18, 30), 'Asia/Kolkata')).toBe(0);
  });
});
