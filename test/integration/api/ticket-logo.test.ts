import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../../helpers/escpos-tokenizer.ts';
import { startFakePrinter, type FakePrinter } from '../../helpers/fake-printer.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { encodePng } from '../../helpers/png-encoder.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('ticket logo API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let fake: FakePrinter;
  const path = () => `/api/v1/tenants/${d.slug}/ticket-logo/`;
  // 60×30, transparent, with a black bar 40×10 in the middle: prints as a 40×10 block.
  const png = encodePng({ width: 60, height: 30, colour: 6, depth: 8, pixel: (x, y) => (x >= 10 && x < 50 && y >= 10 && y < 20 ? [0, 0, 0, 255] : [0, 0, 0, 0]) });

  beforeAll(async () => {
    t = await startTestServer({ jobs: { runner: { pollMs: 100 } } });
    d = await seedDemoTenant(t, 'logo-bank');
    fake = await startFakePrinter('ok');
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('stores an uploaded PNG as it will print and puts it at the head of kiosk tickets', async () => {
    expect((await t.api('GET', path(), { token: d.adminToken })).status).toBe(404);
    const res = await t.api('PUT', path(), { token: d.adminToken, body: { image: `data:image/png;base64,${png.toString('base64')}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ width: 40, height: 10 });
    expect(res.body.svg).toMatch(/^<svg [^>]*width="40" height="10"/);
    expect((await t.api('GET', path(), { token: d.adminToken })).body).toEqual(res.body);

    const printer = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, { token: d.adminToken, body: { name: 'Hall', transport: 'network', host: fake.host, port: fake.port } });
    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'K', queue_ids: [d.demo.queues[0]!.id], printer_id: printer.body.id } });
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
    const ticket = (await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: device.key, body: { queue: d.demo.queues[0]!.id } })).body;
    const bytes = await fake.waitFor((b) => {
      try {
        return tokenize(b).some((tk) => tk.type === 'cut');
      } catch {
        return false;
      }
    });
    const tokens = tokenize(bytes);
    const logo = tokens.find((tk) => tk.type === 'raster');
    expect(logo).toMatchObject({ type: 'raster', widthBytes: 5, height: 10 });
    expect(logo?.type === 'raster' && [...logo.bits]).toEqual(new Array(50).fill(0xff));
    expect(tokens.indexOf(logo!)).toBeLessThan(tokens.findIndex((tk) => tk.type === 'text' && tk.text === ticket.number));
    const preview = await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printer.body.id}/preview/`, { token: d.adminToken });
    expect(preview.body.svg).toContain('data-logo');
  });

  it('refuses what is not a usable PNG with 400 naming the field, and non-admins with 403, changing nothing', async () => {
    const before = (await t.api('GET', path(), { token: d.adminToken })).body;
    const cases: Array<[unknown, RegExp]> = [
      [{ image: 'not base64 at all!' }, /not base64/],
      [{ image: Buffer.from('GIF89a-not-a-png').toString('base64') }, /not a PNG image/],
      [{ image: encodePng({ width: 8, height: 8, colour: 0, depth: 8, pixel: () => [255] }).toString('base64') }, /blank/],
      [{ image: png.toString('base64'), max_width: 2000 }, /max_width/],
    ];
    for (const [body, message] of cases) {
      const res = await t.api('PUT', path(), { token: d.adminToken, body });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    expect((await t.api('PUT', path(), { token: d.agentTokens[0], body: { image: png.toString('base64') } })).status).toBe(403);
    expect((await t.api('GET', path(), { token: d.adminToken })).body).toEqual(before);
  });

  it('scales a logo down to the width asked, dithers on request, and deletes it (audited)', async () => {
    const scaled = await t.api('PUT', path(), { token: d.adminToken, body: { image: png.toString('base64'), max_width: 20, mode: 'dither' } });
    expect(scaled.body).toMatchObject({ width: 20, height: 5 });
    expect((await t.api('DELETE', path(), { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', path(), { token: d.adminToken })).status).toBe(404);
    expect((await t.api('DELETE', path(), { token: d.adminToken })).status).toBe(204);
    const audit = await t.api('GET', `/api/v1/tenants/${d.slug}/audit-logs/?entity=tenant`, { token: d.adminToken });
    const actions = audit.body.results.map((r: { action: string }) => r.action);
    expect(actions.filter((a: string) => a === 'ticket_logo.updated')).toHaveLength(2);
    expect(actions.filter((a: string) => a === 'ticket_logo.deleted')).toHaveLength(1);
  });
});
