import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceAuthorization } from '../../helpers/principals.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('queues API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const base = () => `/api/v1/tenants/${d.slug}/queues/`;
  const issue = (queue: string) => t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue } });

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
  });
  afterAll(() => t.close());

  it('creates a queue, filters the list by site, service, status and algorithm, updates it and deletes it while unused', async () => {
    const service = d.demo.services[1]!.id;
    const created = await t.api('POST', base(), {
      token: d.adminToken,
      body: { site: d.demo.siteId, service, name: 'Retrait VIP', prefix: 'RV', algorithm: 'priority', weight: 2, max_capacity: 50 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      site: d.demo.siteId, site_name: 'Agence Dakar Plateau', service, service_name: 'Retrait', name: 'Retrait VIP', prefix: 'RV',
      algorithm: 'priority', status: 'open', weight: 2, max_capacity: 50, waiting_count: 0, eta_seconds: 0,
    });
    const id = created.body.id as string;

    const byService = await t.api('GET', `${base()}?service=${service}`, { token: d.adminToken });
    expect(byService.body.results.map((q: { prefix: string }) => q.prefix)).toEqual(['B', 'RV']);
    const bySite = await t.api('GET', `${base()}?site=${d.demo.siteId}&algorithm=priority`, { token: d.adminToken });
    expect(bySite.body.results.map((q: { prefix: string }) => q.prefix)).toEqual(['B', 'RV']);

    const paused = await t.api('POST', `${base()}${id}/set_status/`, { token: d.adminToken, body: { status: 'paused' } });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    const byStatus = await t.api('GET', `${base()}?status=paused`, { token: d.adminToken });
    expect(byStatus.body.results.map((q: { id: string }) => q.id)).toEqual([id]);

    const patched = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { name: 'Retrait prioritaire', prefix: 'RP', service: d.demo.services[0]!.id } });
    expect(patched.body).toMatchObject({ name: 'Retrait prioritaire', prefix: 'RP', service_name: 'Ouverture de compte', status: 'paused' });

    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).status).toBe(404);
    const actions = t.server.deps.db.raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY seq', id).map((a) => a.action);
    expect(actions).toEqual(['queue.created', 'queue.status_changed', 'queue.updated', 'queue.deleted']);
  });

  it('shows a kiosk each queue with its waiting count and the ETA of a new ticket', async () => {
    const queueA = d.demo.queues[0]!;
    await issue(queueA.id);
    await issue(queueA.id);
    const kiosk = deviceAuthorization(t, { tenantId: d.tenantId, type: 'kiosk' });
    const res = await t.api('GET', base(), { headers: kiosk });
    expect(res.status).toBe(200);
    const tile = res.body.results.find((q: { id: string }) => q.id === queueA.id);
    // Two waiting, one available agent (agent 1) serving queue A, 600 s default service time.
    expect(tile).toMatchObject({ prefix: 'A', waiting_count: 2, eta_seconds: 1200 });
  });

  it('refuses a closed queue for new tickets once set_status closes it, and reopens it', async () => {
    const queueC = d.demo.queues[2]!.id;
    await t.api('POST', `${base()}${queueC}/set_status/`, { token: d.adminToken, body: { status: 'closed' } });
    const refused = await issue(queueC);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('queue-closed');
    await t.api('POST', `${base()}${queueC}/set_status/`, { token: d.adminToken, body: { status: 'open' } });
    expect((await issue(queueC)).status).toBe(201);
    const bad = await t.api('POST', `${base()}${queueC}/set_status/`, { token: d.adminToken, body: { status: 'sleeping' } });
    expect(bad.status).toBe(400);
  });

  it('refuses a prefix already used in the site, a malformed prefix, and foreign or unknown references', async () => {
    const body = { site: d.demo.siteId, service: d.demo.services[0]!.id, name: 'Dup' };
    const dup = await t.api('POST', base(), { token: d.adminToken, body: { ...body, prefix: 'A' } });
    expect(dup.status).toBe(400);
    expect(dup.body.details).toEqual([{ field: 'prefix', message: expect.stringContaining('already used') }]);
    const lower = await t.api('POST', base(), { token: d.adminToken, body: { ...body, prefix: 'ab' } });
    expect(lower.status).toBe(400);
    expect(lower.body.details[0].field).toBe('prefix');
    const tooLong = await t.api('POST', base(), { token: d.adminToken, body: { ...body, prefix: 'ABCD' } });
    expect(tooLong.status).toBe(400);
    const foreignSite = await t.api('POST', base(), { token: d.adminToken, body: { ...body, prefix: 'Z', site: other.demo.siteId } });
    expect(foreignSite.status).toBe(400);
    expect(foreignSite.body).toMatchObject({ code: 'invalid-reference', details: [{ field: 'site', message: 'unknown site' }] });
    const foreignService = await t.api('POST', base(), { token: d.adminToken, body: { ...body, prefix: 'Z', service: other.demo.services[0]!.id } });
    expect(foreignService.body.code).toBe('invalid-reference');
    const patchForeign = await t.api('PATCH', `${base()}${d.demo.queues[0]!.id}/`, { token: d.adminToken, body: { service: other.demo.services[0]!.id } });
    expect(patchForeign.status).toBe(400);
    const list = await t.api('GET', `${base()}?search=Dup`, { token: d.adminToken });
    expect(list.body.count).toBe(0);
  });

  it('refuses to delete a queue with active tickets or with history (409)', async () => {
    const queueB = d.demo.queues[1]!.id;
    await issue(queueB);
    const active = await t.api('DELETE', `${base()}${queueB}/`, { token: d.adminToken });
    expect(active.status).toBe(409);
    expect(active.body.details).toEqual({ active_tickets: 1 });
    // Serve it: the queue now only has history.
    const agent = d.agentTokens[1]!;
    const called = await t.api('POST', `/api/v1/tenants/${d.slug}/agents/call-next/`, { token: agent, body: { queue_id: queueB } });
    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${called.body.id}/close/`, { token: agent });
    const history = await t.api('DELETE', `${base()}${queueB}/`, { token: d.adminToken });
    expect(history.status).toBe(409);
    expect(history.body.error).toContain('Close it instead');
  });

  it('lets agents read queues but not manage them', async () => {
    const agent = d.agentTokens[0]!;
    const queueA = d.demo.queues[0]!.id;
    expect((await t.api('GET', base(), { token: agent })).status).toBe(200);
    expect((await t.api('GET', `${base()}${queueA}/`, { token: agent })).status).toBe(200);
    const denied = await t.api('POST', `${base()}${queueA}/set_status/`, { token: agent, body: { status: 'closed' } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('missing-scope');
    expect((await t.api('PATCH', `${base()}${queueA}/`, { token: agent, body: { name: 'x' } })).status).toBe(403);
    expect((await t.api('DELETE', `${base()}${queueA}/`, { token: agent })).status).toBe(403);
  });

  it("keeps another tenant's queues invisible", async () => {
    const foreign = other.demo.queues[0]!.id;
    expect((await t.api('GET', `${base()}${foreign}/`, { token: d.adminToken })).status).toBe(404);
    expect((await t.api('PATCH', `${base()}${foreign}/`, { token: d.adminToken, body: { name: 'x' } })).status).toBe(404);
    expect((await t.api('POST', `${base()}${foreign}/set_status/`, { token: d.adminToken, body: { status: 'closed' } })).status).toBe(404);
    expect((await t.api('DELETE', `${base()}${foreign}/`, { token: d.adminToken })).status).toBe(404);
    const list = await t.api('GET', base(), { token: d.adminToken });
    expect(list.body.results.map((q: { id: string }) => q.id)).not.toContain(foreign);
    const otherQueue = await t.api('GET', `/api/v1/tenants/${other.slug}/queues/${foreign}/`, { token: other.adminToken });
    expect(otherQueue.body.status).toBe('open');
  });
});
