import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('kiosks API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const base = (slug = d.slug) => `/api/v1/tenants/${slug}/kiosks/`;
  const auditActions = (id: string) => t.server.deps.db.raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY seq', id).map((r) => r.action);
  const printer = async (tenant: DemoTenant, name = 'Epson') => {
    const res = await t.api('POST', `/api/v1/tenants/${tenant.slug}/printers/`, { token: tenant.adminToken, body: { name, transport: 'network', host: '10.0.0.9' } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Entrée', queue_ids: d.demo.queues.map((q) => q.id), ...body } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
  });
  afterAll(() => t.close());

  it('creates, lists, reads, updates and deletes a kiosk, auditing each change', async () => {
    const printerId = await printer(d);
    const created = await t.api('POST', base(), {
      token: d.adminToken, body: { name: 'Borne entrée', queue_ids: [d.demo.queues[0]!.id, d.demo.queues[1]!.id], printer_id: printerId },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Borne entrée', site: d.demo.siteId, printer_id: printerId, languages: ['fr', 'en', 'ar'], is_online: false,
    });
    expect(created.body.queues.map((q: { service_name: string }) => q.service_name)).toEqual([d.demo.services[0]!.name, d.demo.services[1]!.name]);
    const id = created.body.id as string;

    expect((await t.api('GET', base(), { token: d.adminToken })).body.results.map((k: { id: string }) => k.id)).toContain(id);
    const patched = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { languages: ['fr'], printer_id: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ languages: ['fr'], printer_id: null, name: 'Borne entrée' });
    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).status).toBe(404);
    expect(auditActions(id)).toEqual(['kiosk.created', 'kiosk.updated', 'kiosk.deleted']);
  });

  it("refuses another tenant's printer or queue with 400 invalid-reference, changing nothing", async () => {
    const foreignPrinter = await printer(other);
    const res = await t.api('POST', base(), { token: d.adminToken, body: { name: 'X', queue_ids: [d.demo.queues[0]!.id], printer_id: foreignPrinter } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid-reference', details: [{ field: 'printer_id', message: 'unknown printer' }] });
    const { id } = await create();
    const patch = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { name: 'Renamed', queue_ids: [other.demo.queues[0]!.id] } });
    expect(patch.status).toBe(400);
    expect(patch.body.details).toEqual([{ field: 'queue_ids.0', message: 'unknown queue' }]);
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).body.name).toBe('Entrée');
  });

  it('refuses bad input with details', async () => {
    for (const [body, field] of [
      [{ name: 'X', queue_ids: ['not-a-uuid'] }, 'queue_ids.0'],
      [{ name: 'X', queue_ids: [d.demo.queues[0]!.id], languages: ['de'] }, 'languages.0'],
      [{ queue_ids: [d.demo.queues[0]!.id] }, 'name'],
    ] as const) {
      const res = await t.api('POST', base(), { token: d.adminToken, body });
      expect(res.status).toBe(400);
      expect(res.body.details.map((x: { field: string }) => x.field)).toContain(field);
    }
  });

  it('lets an agent read kiosks but not configure them', async () => {
    const { id } = await create();
    const agent = d.agentTokens[0]!;
    expect((await t.api('GET', `${base()}${id}/`, { token: agent })).status).toBe(200);
    expect((await t.api('POST', base(), { token: agent, body: { name: 'X', queue_ids: [d.demo.queues[0]!.id] } })).status).toBe(403);
    expect((await t.api('PATCH', `${base()}${id}/`, { token: agent, body: { name: 'X' } })).status).toBe(403);
    expect((await t.api('DELETE', `${base()}${id}/`, { token: agent })).status).toBe(403);
  });

  it("keeps another tenant's kiosks invisible", async () => {
    const { id } = await create();
    expect((await t.api('GET', `${base(other.slug)}${id}/`, { token: other.adminToken })).status).toBe(404);
    expect((await t.api('PATCH', `${base(other.slug)}${id}/`, { token: other.adminToken, body: { name: 'Mine' } })).status).toBe(404);
    expect((await t.api('GET', base(other.slug), { token: other.adminToken })).body.count).toBe(0);
  });

  it('serves a paired kiosk its own configuration and nothing else', async () => {
    const mine = await create({ name: 'Borne 1' });
    const theirs = await create({ name: 'Borne 2' });
    const kiosk = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: mine.id });
    const own = await t.api('GET', `${base()}${mine.id}/`, { device: kiosk.key });
    expect(own.status).toBe(200);
    expect(own.body.queues).toHaveLength(3);
    expect((await t.api('GET', base(), { device: kiosk.key })).body.results.map((k: { id: string }) => k.id)).toEqual([mine.id]);
    expect((await t.api('GET', `${base()}${theirs.id}/`, { device: kiosk.key })).status).toBe(404);
    expect((await t.api('PATCH', `${base()}${mine.id}/`, { device: kiosk.key, body: { name: 'X' } })).status).toBe(403);

    // A display also lists services, but no kiosk configuration is its own.
    const display = await t.api('POST', `/api/v1/tenants/${d.slug}/displays/`, { token: d.adminToken, body: { name: 'TV', type: 'main', queue_ids: [d.demo.queues[0]!.id] } });
    const tv = await pairNewDevice(t, d, { type: 'display', display_id: display.body.id });
    expect((await t.api('GET', `${base()}${mine.id}/`, { device: tv.key })).status).toBe(404);
    expect((await t.api('GET', base(), { device: tv.key })).body.count).toBe(0);
  });
});
