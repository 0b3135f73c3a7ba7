import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('audit-logs API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  let siteId: string;
  const base = () => `/api/v1/tenants/${d.slug}/audit-logs/`;
  const adminId = () => t.server.deps.db.raw<{ id: string }>('SELECT id FROM user WHERE email = ?', d.adminEmail)[0]!.id;

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
    const site = await t.api('POST', `/api/v1/tenants/${d.slug}/sites/`, { token: d.adminToken, body: { name: 'Agence Audit' } });
    siteId = site.body.id;
    await t.api('PATCH', `/api/v1/tenants/${d.slug}/sites/${siteId}/`, { token: d.adminToken, body: { city: 'Kaolack' } });
    await t.api('POST', `/api/v1/tenants/${other.slug}/sites/`, { token: other.adminToken, body: { name: 'Agence Ailleurs' } });
  });
  afterAll(() => t.close());

  it('lists the audit trail newest first, with who, what, from where and the change', async () => {
    const res = await t.api('GET', `${base()}?entity=site&entity_id=${siteId}`, { token: d.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { action: string }) => r.action)).toEqual(['site.updated', 'site.created']);
    const [updated] = res.body.results;
    expect(updated).toMatchObject({
      entity: 'site', entity_id: siteId, actor_user: adminId(), actor_email: d.adminEmail, actor_device: null,
      before: { city: '' }, after: { city: 'Kaolack' }, endpoint: `PATCH /api/v1/tenants/${d.slug}/sites/${siteId}/`,
    });
    expect(updated.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(updated.seq).toBeGreaterThan(res.body.results[1].seq);
  });

  it('filters by action (exact or prefix), actor and date range', async () => {
    const exact = await t.api('GET', `${base()}?action=site.created`, { token: d.adminToken });
    expect(exact.body.results.map((r: { entity_id: string }) => r.entity_id)).toEqual([siteId]);
    const prefix = await t.api('GET', `${base()}?action=site.`, { token: d.adminToken });
    expect(prefix.body.count).toBe(2);
    const byAdmin = await t.api('GET', `${base()}?actor=${adminId()}&page_size=100`, { token: d.adminToken });
    expect(byAdmin.body.results.every((r: { actor_user: string }) => r.actor_user === adminId())).toBe(true);
    expect(byAdmin.body.count).toBe(2);
    const future = await t.api('GET', `${base()}?created_after=2999-01-01T00:00:00Z`, { token: d.adminToken });
    expect(future.body.count).toBe(0);
    const past = await t.api('GET', `${base()}?created_before=2000-01-01`, { token: d.adminToken });
    expect(past.body.count).toBe(0);
    const all = await t.api('GET', `${base()}?created_after=2000-01-01&created_before=2999-01-01`, { token: d.adminToken });
    expect(all.body.count).toBeGreaterThan(2);
    expect((await t.api('GET', `${base()}?actor=someone`, { token: d.adminToken })).status).toBe(400);
  });

  it("never shows another tenant's rows", async () => {
    const res = await t.api('GET', `${base()}?page_size=100`, { token: d.adminToken });
    expect(res.body.results.length).toBeGreaterThan(0);
    const tenants = t.server.deps.db.raw<{ id: string }>('SELECT id FROM audit_log WHERE tenant_id = ?', other.tenantId).map((r) => r.id);
    for (const row of res.body.results) expect(tenants).not.toContain(row.id);
    const theirs = await t.api('GET', `${base()}?action=tenant.created`, { token: d.adminToken });
    expect(theirs.body.count).toBe(1);
  });

  it('is for admins only (manage:settings)', async () => {
    const manager = await t.api('POST', `/api/v1/tenants/${d.slug}/members/`, { token: d.adminToken, body: { email: 'm@demo-bank.com', password: 'long-enough', role: 'manager' } });
    expect(manager.status).toBe(201);
    const token = await t.login('m@demo-bank.com', 'long-enough');
    for (const path of [base(), `${base()}verify/`]) {
      expect((await t.api('GET', path, { token })).status).toBe(403);
      expect((await t.api('GET', path, { token: d.agentTokens[0] })).status).toBe(403);
    }
  });

  it('verifies the hash chain and points at the first tampered row', async () => {
    const ok = await t.api('GET', `${base()}verify/`, { token: d.adminToken });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, broken_at_seq: null });
    expect(ok.body.rows).toBeGreaterThan(5);

    const { sqlite } = t.server.deps.db;
    const target = sqlite.prepare("SELECT seq FROM audit_log WHERE action = 'site.updated' AND entity_id = ?").get(siteId) as { seq: number };
    // Someone with raw file access rewrites history (the append-only trigger stops everyone else).
    sqlite.exec('DROP TRIGGER audit_log_no_update');
    sqlite.prepare(`UPDATE audit_log SET after = '{"city":"Touba"}' WHERE seq = ?`).run(target.seq);
    const broken = await t.api('GET', `${base()}verify/`, { token: d.adminToken });
    expect(broken.body).toEqual({ ok: false, rows: expect.any(Number), broken_at_seq: target.seq });
  });
});
