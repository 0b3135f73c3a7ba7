import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { ticketApi } from './fixtures.ts';
import { WsProbe, wsUrl } from './ws-probe.ts';

/**
 * A display acknowledges every call it shows; in a rush that is far more messages per heartbeat than
 * the chatter budget a client gets (here 5). Acks are budgeted by the calls the display was sent.
 */
describe('display acks at a rush', () => {
  const BUDGET = 5;
  let t: TestServer;
  let d: DemoTenant;
  let api: ReturnType<typeof ticketApi>;
  let hall: { id: string; key: string };
  const open = () => WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/displays/${hall.id}/`, { device_key: hall.key }));

  beforeAll(async () => {
    t = await startTestServer({ realtime: { maxClientMessagesPerBeat: BUDGET, heartbeatMs: 60_000 } });
    d = await seedDemoTenant(t);
    api = ticketApi(t, d);
    const created = await t.api('POST', `/api/v1/tenants/${d.slug}/displays/`, { token: d.adminToken, body: { name: 'Hall', type: 'main', queue_ids: [d.demo.queues[0]!.id] } });
    hall = { id: created.body.id as string, key: (await pairNewDevice(t, d, { type: 'display', display_id: created.body.id })).key };
  });
  afterAll(() => t.close());

  it('keeps a display that acknowledges more calls than the chatter budget, and records every ack', async () => {
    const queueA = d.demo.queues[0]!.id;
    const agent = d.agentTokens[0]!;
    const { probe } = await open();
    const calls = BUDGET + 3;
    const called: string[] = [];
    for (let i = 0; i < calls; i += 1) {
      await api.create(queueA);
      const ticket = await api.callNext(agent, queueA);
      const shown = await probe.next((m) => m.type === 'ticket_called' && m.ticket_id === ticket.id);
      probe.send({ type: 'ack', ticket_id: shown.ticket_id, recall_count: shown.recall_count });
      called.push(ticket.id);
      await api.act(ticket.id, 'close', agent);
    }
    probe.send({ type: 'ping' });
    await probe.next((m) => m.type === 'pong');
    for (const id of called) {
      const acks = await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/${id}/display-acks/`, { token: agent });
      expect(acks.body.shown, id).toBe(true);
    }
    await probe.close();
  });

  it('still closes a display that sends more acks than it was shown calls, beyond the budget', async () => {
    const { probe } = await open();
    const ticket = await api.callNext(d.agentTokens[0]!, d.demo.queues[0]!.id).catch(() => null);
    expect(ticket).toBeNull(); // nothing waiting: no call is shown in this test
    for (let i = 0; i <= BUDGET; i += 1) probe.send({ type: 'ack', ticket_id: '00000000-0000-7000-8000-000000000000' });
    const closed = await probe.closed;
    expect(closed.code).toBe(1008);
  });
});
