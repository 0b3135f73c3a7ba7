import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('printers API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const base = (slug = d.slug) => `/api/v1/tenants/${slug}/printers/`;
  const count = () => t.server.deps.db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM printer WHERE tenant_id = ?', d.tenantId)[0]!.n;
  const create = async (body: Record<string, unknown>, tenant = d) => {
    const res = await t.api('POST', base(tenant.slug), { token: tenant.adminToken, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
  });
  afterAll(() => t.close());

  it('fills the usual defaults: port 9100 for network, 9600 baud for serial', async () => {
    const net = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Hall', transport: 'network', host: 'printer-1.local', profile: { paper_width_mm: 80 } } });
    expect(net.status).toBe(201);
    expect(net.body).toMatchObject({ transport: 'network', host: 'printer-1.local', port: 9100, path: null, baud_rate: null, profile: { paper_width_mm: 80 }, status: 'unknown' });
    const serial = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Guichet', transport: 'serial', path: '/dev/ttyUSB0' } });
    expect(serial.body).toMatchObject({ transport: 'serial', path: '/dev/ttyUSB0', baud_rate: 9600, host: null, port: null });
  });

  it('accepts a USB printer by vendor and product id (hex or number) or by /dev/usb/lp path', async () => {
    const ids = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Kiosk', transport: 'usb', vendor_id: '0x04b8', product_id: 3605 } });
    expect(ids.status).toBe(201);
    expect(ids.body).toMatchObject({ vendor_id: 0x04b8, product_id: 3605, path: null });
    const lp = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Kiosk lp', transport: 'usb', path: '/dev/usb/lp0' } });
    expect(lp.body).toMatchObject({ path: '/dev/usb/lp0', vendor_id: null });
  });

  it('refuses a configuration its transport cannot use, naming the field, creating nothing', async () => {
    const before = count();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'X', transport: 'network' }, 'host'],
      [{ name: 'X', transport: 'network', host: 'a b' }, 'host'],
      [{ name: 'X', transport: 'network', host: '10.0.0.1', port: 70000 }, 'port'],
      [{ name: 'X', transport: 'network', host: '10.0.0.1', path: '/dev/ttyS0' }, 'path'],
      [{ name: 'X', transport: 'serial' }, 'path'],
      [{ name: 'X', transport: 'serial', path: 'C:\\printer' }, 'path'],
      [{ name: 'X', transport: 'usb', vendor_id: '0x04b8' }, 'product_id'],
      [{ name: 'X', transport: 'usb', path: '/dev/ttyUSB0' }, 'path'],
      [{ name: 'X', transport: 'usb' }, 'vendor_id'],
      [{ name: 'X', transport: 'usb', vendor_id: 0x1ffff, product_id: 1 }, 'vendor_id'],
      [{ name: 'X', transport: 'bluetooth' }, 'transport'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('POST', base(), { token: d.adminToken, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.details.map((x: { field: string }) => x.field), JSON.stringify(body)).toContain(field);
    }
    expect(count()).toBe(before);
  });

  it('switches transport on PATCH, clearing the old connection and requiring the new one', async () => {
    const { id } = await create({ name: 'Moving', transport: 'serial', path: '/dev/ttyS1', baud_rate: 19200 });
    const incomplete = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { transport: 'network' } });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.details).toEqual([{ field: 'host', message: expect.stringContaining('host') }]);
    const switched = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { transport: 'network', host: '192.168.1.50', port: 9101 } });
    expect(switched.status).toBe(200);
    expect(switched.body).toMatchObject({ transport: 'network', host: '192.168.1.50', port: 9101, path: null, baud_rate: null, name: 'Moving' });
    const renamed = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { name: 'Moved' } });
    expect(renamed.body).toMatchObject({ name: 'Moved', host: '192.168.1.50', port: 9101 });
  });

  it('accepts another printer of the tenant as fallback but never itself, a foreign one or a cycle', async () => {
    const a = await create({ name: 'A', transport: 'network', host: '10.0.0.1' });
    const b = await create({ name: 'B', transport: 'network', host: '10.0.0.2', fallback_printer_id: a.id });
    const c = await create({ name: 'C', transport: 'network', host: '10.0.0.3', fallback_printer_id: b.id });
    const foreign = await create({ name: 'F', transport: 'network', host: '10.0.0.4' }, other);

    const self = await t.api('PATCH', `${base()}${a.id}/`, { token: d.adminToken, body: { fallback_printer_id: a.id } });
    expect(self.status).toBe(400);
    const cycle = await t.api('PATCH', `${base()}${a.id}/`, { token: d.adminToken, body: { fallback_printer_id: c.id } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error).toMatch(/cycle/);
    const alien = await t.api('PATCH', `${base()}${a.id}/`, { token: d.adminToken, body: { fallback_printer_id: foreign.id } });
    expect(alien.status).toBe(400);
    expect(alien.body).toMatchObject({ code: 'invalid-reference', details: [{ field: 'fallback_printer_id', message: 'unknown printer' }] });
    expect((await t.api('GET', `${base()}${a.id}/`, { token: d.adminToken })).body.fallback_printer_id).toBeNull();
  });

  it('refuses to delete a printer a kiosk or another printer relies on, and audits a deletion', async () => {
    const main = await create({ name: 'Main', transport: 'network', host: '10.0.1.1' });
    const backup = await create({ name: 'Backup', transport: 'network', host: '10.0.1.2' });
    await t.api('PATCH', `${base()}${main.id}/`, { token: d.adminToken, body: { fallback_printer_id: backup.id } });
    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'K', queue_ids: [d.demo.queues[0]!.id], printer_id: main.id } });

    const usedByKiosk = await t.api('DELETE', `${base()}${main.id}/`, { token: d.adminToken });
    expect(usedByKiosk.status).toBe(409);
    expect(usedByKiosk.body.error).toContain('"K"');
    const usedAsFallback = await t.api('DELETE', `${base()}${backup.id}/`, { token: d.adminToken });
    expect(usedAsFallback.status).toBe(409);

    await t.api('PATCH', `/api/v1/tenants/${d.slug}/kiosks/${kiosk.body.id}/`, { token: d.adminToken, body: { printer_id: null } });
    expect((await t.api('DELETE', `${base()}${main.id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('DELETE', `${base()}${backup.id}/`, { token: d.adminToken })).status).toBe(204);
    const actions = t.server.deps.db.raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY seq', main.id).map((r) => r.action);
    expect(actions).toEqual(['printer.created', 'printer.updated', 'printer.deleted']);
  });

  it('is for settings managers only, and keeps tenants apart', async () => {
    const { id } = await create({ name: 'Private', transport: 'network', host: '10.0.2.1' });
    const agent = d.agentTokens[0]!;
    expect((await t.api('GET', base(), { token: agent })).status).toBe(403);
    expect((await t.api('GET', `${base()}${id}/`, { token: agent })).status).toBe(403);
    expect((await t.api('GET', `${base(other.slug)}${id}/`, { token: other.adminToken })).status).toBe(404);
    expect((await t.api('DELETE', `${base(other.slug)}${id}/`, { token: other.adminToken })).status).toBe(404);
    const theirs = await t.api('GET', base(other.slug), { token: other.adminToken });
    expect(theirs.body.results.map((p: { id: string }) => p.id)).not.toContain(id);
  });
});
