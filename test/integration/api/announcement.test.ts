import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav, durationMs } from '../../../branch-server/voice/wav.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('GET displays/{id}/announcement/ (spoken call as audio/wav)', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  let displayId: string;
  let displayKey: string;
  let otherDisplayKey: string;
  let calledId: string;
  let calledNumber: string;
  let queueB: string;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const path = (query: string, id = displayId) => `${base()}/displays/${id}/announcement/?${query}`;

  async function get(url: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${t.url}${url}`, { headers });
    return { status: res.status, type: res.headers.get('content-type') ?? '', cache: res.headers.get('cache-control'), bytes: new Uint8Array(await res.arrayBuffer()) };
  }
  const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as { detail?: string; error?: string; code: string; details?: unknown };

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    other = await seedDemoTenant(t, 'other-bank');
    const queueA = d.demo.queues[0]!.id;
    queueB = d.demo.queues[1]!.id;
    const display = await t.api('POST', `${base()}/displays/`, { token: d.adminToken, body: { name: 'Hall', type: 'main', queue_ids: [queueA], languages: ['fr', 'ar'] } });
    displayId = display.body.id;
    displayKey = (await pairNewDevice(t, d, { type: 'display', display_id: displayId })).key;
    const second = await t.api('POST', `${base()}/displays/`, { token: d.adminToken, body: { name: 'Other', type: 'main', queue_ids: [queueA] } });
    otherDisplayKey = (await pairNewDevice(t, d, { type: 'display', display_id: second.body.id })).key;
    await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queueA } });
    const called = await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: queueA } });
    calledId = called.body.id;
    calledNumber = called.body.number;
  });
  afterAll(() => t.close());

  it('answers a RIFF/WAVE file to the display device holding its key in the query, as an audio element asks', async () => {
    const res = await get(path(`ticket=${calledId}&device_key=${encodeURIComponent(displayKey)}`));
    expect(res.status).toBe(200);
    expect(res.type).toBe('audio/wav');
    expect(res.cache).toBe('no-store');
    expect(new TextDecoder().decode(res.bytes.subarray(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(res.bytes.subarray(8, 12))).toBe('WAVE');
    const wav = parseWav(res.bytes);
    expect(wav.format).toEqual({ sampleRate: 22_050, channels: 1, bitsPerSample: 16 });
    // Chime plus two languages: several seconds, not an empty file.
    expect(durationMs(wav)).toBeGreaterThan(4000);
    expect(calledNumber).toMatch(/^A\d{3}$/);
  });

  it("speaks the display's languages by default, or the languages asked for, in that order", async () => {
    const auth = { authorization: `Device ${displayKey}` };
    const both = parseWav((await get(path(`ticket=${calledId}`), auth)).bytes);
    const french = parseWav((await get(path(`ticket=${calledId}&lang=fr`), auth)).bytes);
    const frenchNoChime = parseWav((await get(path(`ticket=${calledId}&lang=fr&chime=0`), auth)).bytes);
    expect(durationMs(both)).toBeGreaterThan(durationMs(french) + 1500);
    expect(durationMs(french)).toBeGreaterThan(durationMs(frenchNoChime) + 1000);
    const reordered = await get(path(`ticket=${calledId}&lang=ar,fr`), auth);
    expect(reordered.status).toBe(200);
    expect(reordered.bytes.length).toBe(both.data.length + 44);
  });

  it('lets staff with read:queue listen, with a bearer token or ?token=', async () => {
    expect((await get(path(`ticket=${calledId}`), { authorization: `Bearer ${d.agentTokens[0]}` })).status).toBe(200);
    expect((await get(path(`ticket=${calledId}&token=${d.adminToken}`))).status).toBe(200);
  });

  it('refuses the anonymous (401), another display, another tenant and its devices (403)', async () => {
    const anonymous = await get(path(`ticket=${calledId}`));
    expect(anonymous.status).toBe(401);
    expect(json(anonymous.bytes)).toMatchObject({ code: 'not-authenticated' });
    expect((await get(path(`ticket=${calledId}&device_key=nope`))).status).toBe(401);

    const wrongDisplay = await get(path(`ticket=${calledId}&device_key=${encodeURIComponent(otherDisplayKey)}`));
    expect(wrongDisplay.status).toBe(403);
    expect(json(wrongDisplay.bytes)).toMatchObject({ code: 'forbidden' });

    const foreignAdmin = await get(path(`ticket=${calledId}`), { authorization: `Bearer ${other.adminToken}` });
    expect(foreignAdmin.status).toBe(403);
    expect(json(foreignAdmin.bytes)).toMatchObject({ code: 'not-a-member' });

    const kiosk = await t.api('POST', `${base()}/kiosks/`, { token: d.adminToken, body: { name: 'Entrance', queue_ids: [d.demo.queues[0]!.id] } });
    const kioskKey = (await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id })).key;
    expect((await get(path(`ticket=${calledId}&device_key=${encodeURIComponent(kioskKey)}`))).status).toBe(403);
  });

  it('answers 404 for an unknown display, a ticket of another queue or tenant, and 400 for a bad query', async () => {
    const admin = { authorization: `Bearer ${d.adminToken}` };
    expect((await get(path(`ticket=${calledId}`, '0190a000-0000-7000-8000-000000000000'), admin)).status).toBe(404);
    expect((await get(path(`ticket=${calledId}`, 'not-a-uuid'), admin)).status).toBe(404);
    const inB = await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queueB } });
    const notShown = await get(path(`ticket=${inB.body.id}`), admin);
    expect(notShown.status).toBe(404);
    expect(json(notShown.bytes)).toMatchObject({ code: 'not-found' });
    const foreign = await t.api('POST', `/api/v1/tenants/${other.slug}/tickets/`, { token: other.adminToken, body: { queue: other.demo.queues[0]!.id } });
    expect((await get(path(`ticket=${foreign.body.id}`), admin)).status).toBe(404);

    const missing = await get(path(''), admin);
    expect(missing.status).toBe(400);
    expect(json(missing.bytes)).toMatchObject({ code: 'validation-failed', details: [{ field: 'ticket' }] });
    const badLang = await get(path(`ticket=${calledId}&lang=fr,de`), admin);
    expect(badLang.status).toBe(400);
    expect(json(badLang.bytes).code).toBe('validation-failed');
    expect((await get(path(`ticket=${calledId}&lang=fr,fr`), admin)).status).toBe(400);
  });
});
