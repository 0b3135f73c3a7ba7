import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueChannelMessage } from '../../../branch-server/contract/realtime.contract.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { insertDevice, ticketApi } from './fixtures.ts';
import { WsProbe, wsUrl } from './ws-probe.ts';

describe('realtime queue channel', () => {
  let t: TestServer;
  let d: DemoTenant;
  let api: ReturnType<typeof ticketApi>;
  const queuePath = (queueId: string) => `/ws/tenants/${d.slug}/queues/${queueId}/`;
  const open = (queueId: string, query: Record<string, string> = { token: d.adminToken }) => WsProbe.connect(wsUrl(t.url, queuePath(queueId), query));

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    api = ticketApi(t, d);
  });
  afterAll(() => t.close());

  it('sends the waiting tickets in call order with positions and ETAs, then the called ones, on connect', async () => {
    const queueC = d.demo.queues[2]!.id;
    const first = await api.create(queueC);
    const second = await api.create(queueC);
    const third = await api.create(queueC);
    await api.callNext(d.agentTokens[2]!, queueC);

    const { probe, snapshot } = await open(queueC);
    expect(() => QueueChannelMessage.parse(snapshot)).not.toThrow();
    expect(snapshot).toMatchObject({ event: 'queue.snapshot', seq: 0, queue_id: queueC, queue_name: d.demo.queues[2]!.name, queue_status: 'open' });
    expect(snapshot.tickets.map((x: any) => [x.number, x.status, x.position])).toEqual([
      [second.number, 'en_attente', 1],
      [third.number, 'en_attente', 2],
      [first.number, 'appele', null],
    ]);
    expect(snapshot.tickets[1].eta_seconds).toBeGreaterThan(snapshot.tickets[0].eta_seconds);
    expect(snapshot.tickets[2].counter).toBe('Guichet 3');
    await probe.close();
  });

  it('delivers the nine ticket events in order, each with the full ticket and a gap-free seq', async () => {
    const queueA = d.demo.queues[0]!.id;
    const queueB = d.demo.queues[1]!.id;
    const agent = d.agentTokens[0]!;
    const { probe, snapshot } = await open(queueA);
    const { probe: target } = await open(queueB);

    const served = await api.create(queueA);
    await api.callNext(agent, queueA);
    await api.act(served.id, 'recall', agent);
    await api.act(served.id, 'start_service', agent);
    await api.act(served.id, 'pause', agent, { reason: 'missing document' });
    await api.act(served.id, 'resume', agent);
    await api.act(served.id, 'close', agent);
    const absent = await api.create(queueA);
    await api.callNext(agent, queueA);
    await api.act(absent.id, 'mark_no_show', agent);
    const moved = await api.create(queueA);
    const transferred = await api.act(moved.id, 'transfer', d.adminToken, { target_queue_id: queueB, reason: 'wrong service' });

    const expected: [string, string, string][] = [
      ['ticket.created', served.id, 'en_attente'],
      ['ticket.called', served.id, 'appele'],
      ['ticket.recalled', served.id, 'appele'],
      ['ticket.service_started', served.id, 'en_service'],
      ['ticket.paused', served.id, 'pause'],
      ['ticket.resumed', served.id, 'en_service'],
      ['ticket.closed', served.id, 'clos'],
      ['ticket.created', absent.id, 'en_attente'],
      ['ticket.called', absent.id, 'appele'],
      ['ticket.no_show', absent.id, 'no_show'],
      ['ticket.created', moved.id, 'en_attente'],
      ['ticket.transferred', moved.id, 'transfere'],
    ];
    const seen: any[] = [];
    for (const [event, ticketId] of expected) {
      seen.push(await probe.next((m) => m.event === event && m.ticket_id === ticketId));
    }
    expect(seen.map((m) => [m.event, m.ticket_id, m.status])).toEqual(expected);
    for (const m of seen) {
      expect(() => QueueChannelMessage.parse(m)).not.toThrow();
      expect(m.queue_id).toBe(queueA);
      expect(m.ticket.id).toBe(m.ticket_id);
      expect(m.ticket.status).toBe(m.status);
      expect(m.number).toBe(m.ticket.number);
    }
    expect(seen[1].counter).toBe('Guichet 1');
    // The call carries why the engine chose it: queue A is FIFO.
    expect(seen[1].explanation).toMatchObject({ policy: 'fifo', queueId: queueA, reason: expect.stringMatching(/first in line/i) });
    expect(seen[2].ticket.recall_count).toBe(1);
    expect(seen[11].explanation).toEqual({ target_queue_id: queueB, new_ticket_id: transferred.id });

    // Every event of the channel (ticket events and ETA refreshes) follows the snapshot without a gap.
    const all = probe.messages.slice(1);
    expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => snapshot.seq + i + 1));

    const arrived = await target.next((m) => m.event === 'ticket.created');
    expect(arrived).toMatchObject({ queue_id: queueB, ticket_id: transferred.id, number: moved.number });
    expect(arrived.ticket.transferred_from).toBe(moved.id);
    await Promise.all([probe.close(), target.close()]);
  });

  it('pushes fresh positions and ETAs of the waiting tickets when the queue moves', async () => {
    const queueB = d.demo.queues[1]!.id;
    const agent = d.agentTokens[1]!;
    // Start from an empty queue B (the previous test left a transferred ticket there).
    const leftover = (await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/?queue=${queueB}&status=en_attente`, { token: d.adminToken })).body.results as any[];
    for (const x of leftover) await api.act(x.id, 'transfer', d.adminToken, { target_queue_id: d.demo.queues[2]!.id });

    const { probe } = await open(queueB);
    const first = await api.create(queueB);
    const second = await api.create(queueB);
    const afterIssue = await probe.next((m) => m.event === 'queue.etas' && m.waiting.length === 2);
    expect(afterIssue.waiting.map((w: any) => [w.ticket_id, w.position])).toEqual([[first.id, 1], [second.id, 2]]);
    expect(afterIssue.waiting[1].public_id).toBe(second.public_id);

    await api.callNext(agent, queueB);
    const called = await probe.next((m) => m.event === 'ticket.called');
    const afterCall = await probe.next((m) => m.event === 'queue.etas');
    expect(called.ticket_id).toBe(first.id);
    expect(afterCall.seq).toBe(called.seq + 1);
    expect(afterCall.waiting.map((w: any) => [w.ticket_id, w.position])).toEqual([[second.id, 1]]);
    expect(afterCall.waiting[0].eta_seconds).toBeLessThanOrEqual(afterIssue.waiting[1].eta_seconds);
    await api.act(first.id, 'close', agent);
    await probe.close();
  });

  it('answers resync with a fresh snapshot carrying the current seq', async () => {
    const queueB = d.demo.queues[1]!.id;
    const { probe, snapshot } = await open(queueB);
    const issued = await api.create(queueB);
    const created = await probe.next((m) => m.event === 'ticket.created');
    await probe.next((m) => m.event === 'queue.etas' && m.seq === created.seq + 1);

    probe.send({ type: 'resync' });
    const fresh = await probe.next((m) => m.event === 'queue.snapshot');
    // The channel's current seq: that of the last event sent before it (a late ETA refresh left by an
    // earlier test may have come in between, so not necessarily snapshot.seq + 2).
    const before = probe.messages.slice(0, probe.messages.indexOf(fresh)).filter((m) => m.event !== 'queue.snapshot');
    expect(fresh.seq).toBe(before.at(-1).seq);
    expect(fresh.seq).toBeGreaterThanOrEqual(snapshot.seq + 2);
    expect(fresh.tickets.some((x: any) => x.id === issued.id && x.status === 'en_attente')).toBe(true);
    await probe.close();
  });

  it('lets kiosks and displays follow a queue without learning who waits', async () => {
    const queueB = d.demo.queues[1]!.id;
    const kioskKey = insertDevice(t, d, 'kiosk');
    const { probe: staff } = await open(queueB);
    const { probe: kiosk, snapshot } = await open(queueB, { device_key: kioskKey });
    expect(snapshot.tickets.every((x: any) => x.customer_phone === '' && x.public_id === '' && x.tracking_url === '')).toBe(true);

    const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, {
      token: d.adminToken, body: { queue: queueB, channel: 'web', customer_name: 'Awa Diop', customer_phone: '+221770000001' },
    });
    const toStaff = await staff.next((m) => m.event === 'ticket.created' && m.ticket_id === res.body.id);
    const toKiosk = await kiosk.next((m) => m.event === 'ticket.created' && m.ticket_id === res.body.id);
    expect(toStaff.ticket).toMatchObject({ customer_name: 'Awa Diop', customer_phone: '+221770000001', public_id: res.body.public_id });
    expect(toKiosk.ticket).toMatchObject({ customer_name: '', customer_phone: '', public_id: '', tracking_url: '', number: res.body.number });
    const etas = await kiosk.next((m) => m.event === 'queue.etas');
    expect(etas.waiting.every((w: any) => w.public_id === '')).toBe(true);
    await Promise.all([staff.close(), kiosk.close()]);
  });
});
