import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../branch-server/db/sqlite.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

describe('a day at the branch, end to end', () => {
  let t: TestServer;
  let d: DemoTenant;
  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
  });
  afterAll(() => t.close());

  it('issues, calls, serves and closes a ticket', async () => {
    const q = d.demo.queues[0]!.id;
    const created = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: q, channel: 'kiosk' } });
    expect(created.status).toBe(201);
    expect(created.body.number).toBe('A001');
    expect(created.body.position).toBe(1);
    const called = await t.api('POST', `/api/v1/tenants/${d.slug}/agents/call-next/`, { token: d.agentTokens[0], body: {} });
    expect(called.status).toBe(200);
    expect(called.body.id).toBe(created.body.id);
    expect(called.body.status).toBe('appele');
    const started = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${created.body.id}/start_service/`, { token: d.agentTokens[0] });
    expect(started.body.status).toBe('en_service');
    const closed = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${created.body.id}/close/`, { token: d.agentTokens[0] });
    expect(closed.body.status).toBe('clos');
    const stats = await t.api('GET', `/api/v1/tenants/${d.slug}/queues/${q}/stats/`, { token: d.adminToken });
    expect(stats.body.served_today).toBe(1);
    const pub = await t.api('GET', `/api/v1/public/tickets/${created.body.public_id}/`);
    expect(pub.body.status).toBe('clos');
  });

  it('refuses tickets for a queue whose service was deactivated, and takes them again once reactivated', async () => {
    const { db } = t.server.deps;
    const queue = d.demo.queues[1]!;
    const service = d.demo.services[1]!;
    const issue = () => t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: queue.id } });
    db.run(qb.updateTable('service').set({ is_active: 0 }).where('id', '=', service.id));
    try {
      const refused = await issue();
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('queue-closed');
    } finally {
      db.run(qb.updateTable('service').set({ is_active: 1 }).where('id', '=', service.id));
    }
    expect((await issue()).status).toBe(201);
  });
});
