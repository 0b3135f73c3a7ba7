import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { ticketApi } from './fixtures.ts';
import { WsProbe, wsUrl } from './ws-probe.ts';

describe('display acknowledgements of calls', () => {
  let t: TestServer;
  let d: DemoTenant;
  let api: ReturnType<typeof ticketApi>;
  let queueA: string;
  let hall: { id: string; key: string };
  let corridor: { id: string; key: string };
  const base = () => `/api/v1/tenants/${d.slug}`;
  const acks = (ticketId: string, token = d.agentTokens[0]) => t.api('GET', `${base()}/tickets/${ticketId}/display-acks/`, { token });
  const open = (display: { id: string; key: string }) =>
    WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/displays/${display.id}/`, { device_key: display.key }));

  async function display(name: string, queueIds: string[]) {
    const created = await t.api('POST', `${base()}/displays/`, { token: d.adminToken, body: { name, type: 'main', queue_ids: queueIds } });
    const device = await pairNewDevice(t, d, { type: 'display', display_id: created.body.id });
    return { id: created.body.id as string, key: device.key, deviceId: device.id };
  }

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    api = ticketApi(t, d);
    queueA = d.demo.queues[0]!.id;
    hall = await display('Hall', [queueA]);
    corridor = await display('Corridor', [queueA]);
    await display('Other queue', [d.demo.queues[1]!.id]);
  });
  afterAll(() => t.close());

  it('records the ack of each call (a recall is another one), once, and shows which displays have not acked', async () => {
    await api.create(queueA);
    const called = await api.callNext(d.agentTokens[0]!, queueA);
    const before = await acks(called.id);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ ticket_id: called.id, number: called.number, recall_count: 0, shown: false, acks: [] });
    expect(before.body.displays.map((x: { name: string }) => x.name)).toEqual(['Corridor', 'Hall']);

    const { probe } = await open(hall);
    probe.send({ type: 'ack', ticket_id: called.id });
    probe.send({ type: 'ack', ticket_id: called.id });
    probe.send({ type: 'ping' });
    await probe.next((m) => m.type === 'pong');
    const shown = await acks(called.id);
    expect(shown.body.shown).toBe(true);
    expect(shown.body.acks).toEqual([expect.objectContaining({ display_id: hall.id, display_name: 'Hall', recall_count: 0, played: true })]);
    expect(shown.body.displays).toEqual([
      expect.objectContaining({ name: 'Corridor', acked_at: null, played: null }),
      expect.objectContaining({ name: 'Hall', played: true }),
    ]);

    await api.act(called.id, 'recall', d.agentTokens[0]!);
    const recalled = await acks(called.id);
    expect(recalled.body).toMatchObject({ recall_count: 1, shown: false });
    probe.send({ type: 'ack', ticket_id: called.id, recall_count: 1, played: false });
    probe.send({ type: 'ping' });
    await probe.next((m) => m.type === 'pong');
    const after = await acks(called.id);
    expect(after.body.shown).toBe(true);
    expect(after.body.acks.map((a: { recall_count: number; played: boolean }) => [a.recall_count, a.played])).toEqual([[0, true], [1, false]]);
    await probe.close();
    await api.act(called.id, 'close', d.agentTokens[0]!);
  });

  it('refuses an ack for a call that did not happen, a ticket it does not show, or from staff', async () => {
    const waiting = await api.create(queueA);
    const elsewhere = await api.create(d.demo.queues[1]!.id);
    const { probe } = await open(corridor);
    probe.send({ type: 'ack', ticket_id: waiting.id });
    expect(await probe.next((m) => m.type === 'error')).toMatchObject({ code: 'validation-failed' });
    probe.send({ type: 'ack', ticket_id: elsewhere.id });
    expect(await probe.next((m) => m.type === 'error')).toMatchObject({ code: 'not-found' });
    probe.send({ type: 'ack', ticket_id: 'garbage' });
    expect(await probe.next((m) => m.type === 'error')).toMatchObject({ code: 'not-found' });
    probe.send({ type: 'ack', ticket_id: waiting.id, extra: 1 });
    expect(await probe.next((m) => m.type === 'error')).toMatchObject({ code: 'validation-failed' });
    await probe.close();

    const staff = await WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/displays/${hall.id}/`, { token: d.adminToken }));
    staff.probe.send({ type: 'ack', ticket_id: waiting.id });
    expect(await staff.probe.next((m) => m.type === 'error')).toMatchObject({ code: 'forbidden' });
    await staff.probe.close();
    const count = t.server.deps.db.raw<{ n: number }>('SELECT count(*) AS n FROM display_ack WHERE ticket_id IN (?, ?)', waiting.id, elsewhere.id)[0]!.n;
    expect(count).toBe(0);
  });

  it('keeps acks invisible outside the tenant and needs read:ticket', async () => {
    const other = await seedDemoTenant(t, 'other-bank');
    await api.create(queueA);
    const called = await api.callNext(d.agentTokens[0]!, queueA);
    expect((await acks(called.id, other.adminToken)).status).toBe(403);
    expect((await t.api('GET', `/api/v1/tenants/${other.slug}/tickets/${called.id}/display-acks/`, { token: other.adminToken })).status).toBe(404);
    expect((await t.api('GET', `${base()}/tickets/${called.id}/display-acks/`, { device: hall.key })).status).toBe(403);
    await api.act(called.id, 'close', d.agentTokens[0]!);
  });

  it('forgets the acks of a deleted display', async () => {
    const temp = await display('Temporary', [queueA]);
    await api.create(queueA);
    const called = await api.callNext(d.agentTokens[0]!, queueA);
    const { probe } = await open(temp);
    probe.send({ type: 'ack', ticket_id: called.id });
    probe.send({ type: 'ping' });
    await probe.next((m) => m.type === 'pong');
    await probe.close();
    expect((await acks(called.id)).body.acks).toHaveLength(1);
    expect((await t.api('DELETE', `${base()}/devices/${temp.deviceId}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('DELETE', `${base()}/displays/${temp.id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await acks(called.id)).body).toMatchObject({ shown: false, acks: [] });
  });
});
