import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceAuthorization } from '../../helpers/principals.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('services API (queues/services/)', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const base = () => `/api/v1/tenants/${d.slug}/queues/services/`;

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
  });
  afterAll(() => t.close());

  it('creates, reads, updates and lists services by name', async () => {
    const created = await t.api('POST', base(), {
      token: d.adminToken,
      body: { name: 'Change', code: 'CHG', sla_seconds: 600, priority_rules: { senior: 2, vip: 3 }, default_service_seconds: 240 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Change', code: 'CHG', sla_seconds: 600, priority_rules: { senior: 2, vip: 3 }, default_service_seconds: 240, is_active: true, description: '' });
    const id = created.body.id as string;

    const got = await t.api('GET', `${base()}${id}/`, { token: d.agentTokens[0] });
    expect(got.status).toBe(200);
    expect(got.body.priority_rules).toEqual({ senior: 2, vip: 3 });

    const patched = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { sla_seconds: 900, description: 'Bureau de change' } });
    expect(patched.body).toMatchObject({ sla_seconds: 900, description: 'Bureau de change', code: 'CHG' });

    const list = await t.api('GET', base(), { token: d.adminToken });
    expect(list.body.count).toBe(4);
    expect(list.body.results.map((s: { name: string }) => s.name)).toEqual(['Change', 'Conseil', 'Ouverture de compte', 'Retrait']);
    const audit = t.server.deps.db.raw<{ action: string; after: string }>('SELECT action, after FROM audit_log WHERE entity_id = ? ORDER BY seq', id);
    expect(audit.map((a) => a.action)).toEqual(['service.created', 'service.updated']);
    expect(JSON.parse(audit[1]!.after)).toEqual({ sla_seconds: 900, description: 'Bureau de change' });
  });

  it('deactivates on delete: the service stays readable, leaves the kiosk list, and its queues stay', async () => {
    const created = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Temporary' } });
    const id = created.body.id as string;
    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(204);
    const got = await t.api('GET', `${base()}${id}/`, { token: d.adminToken });
    expect(got.body.is_active).toBe(false);
    const active = await t.api('GET', `${base()}?is_active=true`, { token: d.adminToken });
    expect(active.body.results.map((s: { id: string }) => s.id)).not.toContain(id);
    const kiosk = deviceAuthorization(t, { tenantId: d.tenantId, type: 'kiosk' });
    const forKiosk = await t.api('GET', `${base()}?is_active=false`, { headers: kiosk });
    expect(forKiosk.status).toBe(200);
    expect(forKiosk.body.results.every((s: { is_active: boolean }) => s.is_active)).toBe(true);
    expect(forKiosk.body.results.map((s: { id: string }) => s.id)).not.toContain(id);
  });

  it('refuses bad input with 400 and details', async () => {
    const cases: [unknown, string][] = [
      [{ code: 'X' }, 'name'],
      [{ name: 'A', sla_seconds: -1 }, 'sla_seconds'],
      [{ name: 'A', default_service_seconds: 0 }, 'default_service_seconds'],
      [{ name: 'A', priority_rules: [1, 2] }, 'priority_rules'],
      [{ name: 'A', code: 'has space' }, 'code'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('POST', base(), { token: d.adminToken, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.details[0].field).toBe(field);
    }
  });

  it('lets agents and kiosks list services but only managers change them', async () => {
    expect((await t.api('GET', base(), { token: d.agentTokens[0] })).status).toBe(200);
    const denied = await t.api('POST', base(), { token: d.agentTokens[0], body: { name: 'Nope' } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('missing-scope');
    const kiosk = deviceAuthorization(t, { tenantId: d.tenantId, type: 'kiosk' });
    expect((await t.api('POST', base(), { headers: kiosk, body: { name: 'Nope' } })).status).toBe(403);
    const printAgent = deviceAuthorization(t, { tenantId: d.tenantId, type: 'print_agent' });
    expect((await t.api('GET', base(), { headers: printAgent })).status).toBe(403);
  });

  it("keeps another tenant's services invisible and refuses a foreign kiosk", async () => {
    const foreign = other.demo.services[0]!.id;
    expect((await t.api('GET', `${base()}${foreign}/`, { token: d.adminToken })).status).toBe(404);
    expect((await t.api('PATCH', `${base()}${foreign}/`, { token: d.adminToken, body: { name: 'x' } })).status).toBe(404);
    expect((await t.api('DELETE', `${base()}${foreign}/`, { token: d.adminToken })).status).toBe(404);
    const list = await t.api('GET', base(), { token: d.adminToken });
    expect(list.body.results.map((s: { id: string }) => s.id)).not.toContain(foreign);
    const otherKiosk = deviceAuthorization(t, { tenantId: other.tenantId, type: 'kiosk' });
    expect((await t.api('GET', base(), { headers: otherKiosk })).status).toBe(403);
  });

  it('is matched before queues/:id/ (a non-UUID segment there would answer 404)', async () => {
    const res = await t.api('GET', `${base()}?search=retr`, { token: d.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.results.map((s: { code: string }) => s.code)).toEqual(['RET']);
  });
});
