import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('sites API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const base = () => `/api/v1/tenants/${d.slug}/sites/`;
  const auditActions = () => t.server.deps.db.raw<{ action: string; entity_id: string }>('SELECT action, entity_id FROM audit_log WHERE tenant_id = ? ORDER BY seq', d.tenantId);

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
  });
  afterAll(() => t.close());

  it('creates, lists, filters, reads, updates and deletes a site, auditing each change', async () => {
    const created = await t.api('POST', base(), {
      token: d.adminToken,
      body: { name: 'Agence Thiès Centre', city: 'Thiès', country: 'SN', latitude: 14.79, longitude: -16.93, timezone: 'africa/dakar', phone: '+221 33 951 00 00' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Agence Thiès Centre', slug: 'agence-thies-centre', timezone: 'Africa/Dakar', is_active: true, latitude: 14.79 });
    const id = created.body.id as string;

    const list = await t.api('GET', base(), { token: d.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(2);
    expect(list.body.results.map((s: { name: string }) => s.name)).toEqual(['Agence Dakar Plateau', 'Agence Thiès Centre']);
    const found = await t.api('GET', `${base()}?search=thi`, { token: d.adminToken });
    expect(found.body.results.map((s: { id: string }) => s.id)).toEqual([id]);

    const patched = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { is_active: false, address: 'Route de Dakar' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ is_active: false, address: 'Route de Dakar', name: 'Agence Thiès Centre' });
    const inactive = await t.api('GET', `${base()}?is_active=false`, { token: d.adminToken });
    expect(inactive.body.results.map((s: { id: string }) => s.id)).toEqual([id]);

    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).status).toBe(404);
    expect(auditActions().filter((a) => a.entity_id === id).map((a) => a.action)).toEqual(['site.created', 'site.updated', 'site.deleted']);
  });

  it('refuses an unknown time zone with 400 and details, creating nothing', async () => {
    const res = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Agence Mars', timezone: 'Mars/Olympus' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation-failed');
    expect(res.body.details).toEqual([{ field: 'timezone', message: expect.stringContaining('IANA'), code: 'custom' }]);
    const list = await t.api('GET', `${base()}?search=Mars`, { token: d.adminToken });
    expect(list.body.count).toBe(0);
  });

  it('refuses unknown fields and out-of-range coordinates', async () => {
    const unknown = await t.api('POST', base(), { token: d.adminToken, body: { name: 'X', colour: 'red' } });
    expect(unknown.status).toBe(400);
    const lat = await t.api('POST', base(), { token: d.adminToken, body: { name: 'X', latitude: 91 } });
    expect(lat.status).toBe(400);
    expect(lat.body.details[0].field).toBe('latitude');
  });

  it('refuses a slug another site of the tenant already uses, but derives a free one from a clashing name', async () => {
    const taken = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Plateau bis', slug: 'dakar-plateau' } });
    expect(taken.status).toBe(400);
    expect(taken.body.code).toBe('slug-taken');
    const a = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Agence Rufisque' } });
    const b = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Agence Rufisque' } });
    expect([a.body.slug, b.body.slug]).toEqual(['agence-rufisque', 'agence-rufisque-2']);
    // The same slug is fine in another tenant.
    const elsewhere = await t.api('POST', `/api/v1/tenants/${other.slug}/sites/`, { token: other.adminToken, body: { name: 'Agence Rufisque' } });
    expect(elsewhere.body.slug).toBe('agence-rufisque');
  });

  it('refuses with 409 to delete a site that queues still use', async () => {
    const res = await t.api('DELETE', `${base()}${d.demo.siteId}/`, { token: d.adminToken });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    expect(res.body.details).toEqual({ queue: 3 });
    expect((await t.api('GET', `${base()}${d.demo.siteId}/`, { token: d.adminToken })).status).toBe(200);
  });

  it('lets agents read sites but not change them', async () => {
    const agent = d.agentTokens[1]!;
    expect((await t.api('GET', base(), { token: agent })).status).toBe(200);
    const create = await t.api('POST', base(), { token: agent, body: { name: 'Nope' } });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe('missing-scope');
    expect((await t.api('PATCH', `${base()}${d.demo.siteId}/`, { token: agent, body: { name: 'Nope' } })).status).toBe(403);
    expect((await t.api('DELETE', `${base()}${d.demo.siteId}/`, { token: agent })).status).toBe(403);
  });

  it("keeps another tenant's sites invisible", async () => {
    const foreign = other.demo.siteId;
    expect((await t.api('GET', `${base()}${foreign}/`, { token: d.adminToken })).status).toBe(404);
    expect((await t.api('PATCH', `${base()}${foreign}/`, { token: d.adminToken, body: { name: 'Hijacked' } })).status).toBe(404);
    expect((await t.api('DELETE', `${base()}${foreign}/`, { token: d.adminToken })).status).toBe(404);
    const list = await t.api('GET', base(), { token: d.adminToken });
    expect(list.body.results.map((s: { id: string }) => s.id)).not.toContain(foreign);
    // And an admin of this tenant is not a member of the other one.
    expect((await t.api('GET', `/api/v1/tenants/${other.slug}/sites/`, { token: d.adminToken })).status).toBe(403);
  });

  it('paginates with page and page_size', async () => {
    const page = await t.api('GET', `${base()}?page_size=1&page=2`, { token: d.adminToken });
    expect(page.status).toBe(200);
    expect(page.body.results).toHaveLength(1);
    expect(page.body.previous).toContain('page=1');
    expect((await t.api('GET', `${base()}?page_size=101`, { token: d.adminToken })).status).toBe(400);
  });
});
