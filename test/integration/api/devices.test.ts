import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { sha256 } from '../../../branch-server/http/secrets.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

const CODE = /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}$/;

describe('devices and pairing API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  let kioskId: string;
  let displayId: string;
  const base = (slug = d.slug) => `/api/v1/tenants/${slug}/devices/`;
  const pair = (pairing_code: string) => t.api('POST', '/api/v1/devices/pair/', { body: { pairing_code } });
  const register = async (body: Record<string, unknown>) => {
    const res = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Device', ...body } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; pairing_code: string; expires_at: string };
  };
  const auditActions = (id: string) => t.server.deps.db.raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY seq', id).map((r) => r.action);

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'Entrée', queue_ids: d.demo.queues.map((q) => q.id) } });
    const display = await t.api('POST', `/api/v1/tenants/${d.slug}/displays/`, { token: d.adminToken, body: { name: 'Hall', type: 'main', queue_ids: [d.demo.queues[0]!.id] } });
    kioskId = kiosk.body.id;
    displayId = display.body.id;
  });
  afterAll(() => t.close());

  it('registers a kiosk device with a short code that pairs once, typed in any case, with or without its dash', async () => {
    const created = await register({ type: 'kiosk', name: 'Borne entrée', kiosk_id: kioskId });
    expect(created.pairing_code).toMatch(CODE);
    const ttl = Date.parse(created.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    const row = t.server.deps.db.first(qb.selectFrom('device').selectAll().where('id', '=', created.id))!;
    expect(row.pairing_code_hash).toBe(sha256(created.pairing_code.replace('-', '')));
    expect(JSON.stringify(row)).not.toContain(created.pairing_code.replace('-', ''));
    expect((await t.api('GET', `${base()}${created.id}/`, { token: d.adminToken })).body).toMatchObject({ status: 'pending', type: 'kiosk', kiosk_id: kioskId });

    const paired = await pair(` ${created.pairing_code.replace('-', '').toLowerCase()} `);
    expect(paired.status).toBe(200);
    expect(paired.body).toMatchObject({ device_id: created.id, type: 'kiosk', tenant_slug: d.slug, kiosk_id: kioskId, display_id: null });
    expect(paired.body.device_key).toMatch(/^sqd_[A-Za-z0-9_-]{40,}$/);
    const stored = t.server.deps.db.first(qb.selectFrom('device').selectAll().where('id', '=', created.id))!;
    expect(stored).toMatchObject({ key_hash: sha256(paired.body.device_key), pairing_code_hash: null });

    const again = await pair(created.pairing_code);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid-pairing-code');
    expect((await t.api('GET', `${base()}${created.id}/`, { token: d.adminToken })).body.status).toBe('paired');
    expect(auditActions(created.id)).toEqual(['device.created', 'device.paired']);
  });

  it('refuses an expired pairing code with a clear message', async () => {
    const created = await register({ type: 'print_agent' });
    t.server.deps.db.run(qb.updateTable('device').set({ pairing_expires_at: Date.now() - 1 }).where('id', '=', created.id));
    const res = await pair(created.pairing_code);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid-pairing-code', error: expect.stringMatching(/expired/) });
    expect((await t.api('GET', `${base()}${created.id}/`, { token: d.adminToken })).body.status).toBe('pending');
  });

  it('gives a kiosk key ticket issuing and nothing else', async () => {
    const kiosk = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kioskId });
    const ticket = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: kiosk.key, body: { queue: d.demo.queues[0]!.id } });
    expect(ticket.status).toBe(201);
    expect(ticket.body.channel).toBe('kiosk');
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/kiosks/${kioskId}/`, { device: kiosk.key })).status).toBe(200);
    for (const path of ['tickets/', `tickets/${ticket.body.id}/`, 'customers/', 'devices/', 'printers/', 'notifications/templates/']) {
      const res = await t.api('GET', `/api/v1/tenants/${d.slug}/${path}`, { device: kiosk.key });
      expect(res.status, path).toBe(403);
    }
    expect((await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${ticket.body.id}/close/`, { device: kiosk.key })).status).toBe(403);
  });

  it('gives a display key read access to its display only', async () => {
    const display = await pairNewDevice(t, d, { type: 'display', display_id: displayId });
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/displays/${displayId}/`, { device: display.key })).status).toBe(200);
    expect((await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: display.key, body: { queue: d.demo.queues[0]!.id } })).status).toBe(403);
    expect((await t.api('PATCH', `/api/v1/tenants/${d.slug}/displays/${displayId}/`, { device: display.key, body: { name: 'X' } })).status).toBe(403);
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/`, { device: display.key })).status).toBe(403);
  });

  it("refuses a valid key on another tenant's URLs", async () => {
    const kiosk = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kioskId });
    const res = await t.api('POST', `/api/v1/tenants/${other.slug}/tickets/`, { device: kiosk.key, body: { queue: other.demo.queues[0]!.id } });
    expect(res.status).toBe(403);
    expect(t.server.deps.db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM ticket WHERE tenant_id = ?', other.tenantId)[0]!.n).toBe(0);
  });

  it('revokes a device: its key stops working at once (401 device-revoked), audited', async () => {
    const kiosk = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kioskId });
    const issue = () => t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: kiosk.key, body: { queue: d.demo.queues[1]!.id } });
    expect((await issue()).status).toBe(201);
    expect((await t.api('DELETE', `${base()}${kiosk.id}/`, { token: d.adminToken })).status).toBe(204);
    const refused = await issue();
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('device-revoked');
    expect((await t.api('GET', `${base()}${kiosk.id}/`, { token: d.adminToken })).body).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) });
    expect(auditActions(kiosk.id)).toEqual(['device.created', 'device.paired', 'device.revoked']);
    expect((await t.api('DELETE', `${base()}${kiosk.id}/`, { token: d.adminToken })).status).toBe(204);
    expect(auditActions(kiosk.id)).toHaveLength(3);
    const regenerate = await t.api('POST', `${base()}${kiosk.id}/regenerate-code/`, { token: d.adminToken });
    expect(regenerate.status).toBe(409);
  });

  it('re-pairs a device with a new code, retiring its old key and its old code', async () => {
    const created = await register({ type: 'display', display_id: displayId });
    const first = await pair(created.pairing_code);
    const fresh = await t.api('POST', `${base()}${created.id}/regenerate-code/`, { token: d.adminToken });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ id: created.id, pairing_code: expect.stringMatching(CODE) });
    const old = await t.api('GET', `/api/v1/tenants/${d.slug}/displays/${displayId}/`, { device: first.body.device_key });
    expect(old.status).toBe(401);
    // The device still sends its retired key while pairing again: public routes ignore credentials.
    const second = await t.api('POST', '/api/v1/devices/pair/', { device: first.body.device_key, body: { pairing_code: fresh.body.pairing_code } });
    expect(second.status).toBe(200);
    expect(second.body.device_key).not.toBe(first.body.device_key);
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/displays/${displayId}/`, { device: second.body.device_key })).status).toBe(200);
    expect(auditActions(created.id)).toEqual(['device.created', 'device.paired', 'device.code_regenerated', 'device.paired']);
  });

  it('binds devices only to a kiosk or display of the tenant, matching their type', async () => {
    const before = (await t.api('GET', base(), { token: d.adminToken })).body.count;
    const foreignKiosk = await t.api('POST', `/api/v1/tenants/${other.slug}/kiosks/`, { token: other.adminToken, body: { name: 'K', queue_ids: [other.demo.queues[0]!.id] } });
    const cases: [Record<string, unknown>, number, string][] = [
      [{ type: 'kiosk' }, 400, 'kiosk_id'],
      [{ type: 'display', kiosk_id: kioskId }, 400, 'display_id'],
      [{ type: 'kiosk', kiosk_id: kioskId, display_id: displayId }, 400, 'display_id'],
      [{ type: 'kiosk', kiosk_id: foreignKiosk.body.id }, 400, 'kiosk_id'],
      [{ type: 'tablet' }, 400, 'type'],
    ];
    for (const [body, status, field] of cases) {
      const res = await t.api('POST', base(), { token: d.adminToken, body: { name: 'X', ...body } });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.details.map((x: { field: string }) => x.field), JSON.stringify(body)).toContain(field);
    }
    expect((await t.api('GET', base(), { token: d.adminToken })).body.count).toBe(before);
  });

  it('lists devices by status for admins only, per tenant', async () => {
    const list = await t.api('GET', `${base()}?status=revoked`, { token: d.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.results.every((r: { status: string }) => r.status === 'revoked')).toBe(true);
    expect(list.body.results[0]).not.toHaveProperty('key_hash');
    expect((await t.api('GET', base(), { token: d.agentTokens[0] })).status).toBe(403);
    expect((await t.api('POST', base(), { token: d.agentTokens[0], body: { type: 'print_agent', name: 'X' } })).status).toBe(403);
    expect((await t.api('GET', base(other.slug), { token: other.adminToken })).body.count).toBe(0);
    const mine = list.body.results[0].id as string;
    expect((await t.api('GET', `${base(other.slug)}${mine}/`, { token: other.adminToken })).status).toBe(404);
    expect((await t.api('DELETE', `${base(other.slug)}${mine}/`, { token: other.adminToken })).status).toBe(404);
  });
});

describe('pairing throttle', () => {
  let t: TestServer;
  let d: DemoTenant;
  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
  });
  afterAll(() => t.close());

  it('stops an address guessing codes after 10 failures, even with a right code', async () => {
    const created = await t.api('POST', `/api/v1/tenants/${d.slug}/devices/`, { token: d.adminToken, body: { type: 'print_agent', name: 'Agent' } });
    for (let i = 0; i < 10; i += 1) {
      expect((await t.api('POST', '/api/v1/devices/pair/', { body: { pairing_code: 'AAAA-AAAA' } })).status).toBe(400);
    }
    const blocked = await t.api('POST', '/api/v1/devices/pair/', { body: { pairing_code: created.body.pairing_code } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('rate-limited');
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/devices/${created.body.id}/`, { token: d.adminToken })).body.status).toBe('pending');
  });
});
