import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DisplayChannelMessage, realtimeCloseCodes } from '../../../branch-server/contract/realtime.contract.ts';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { insertDevice, insertDisplay, ticketApi } from './fixtures.ts';
import { WsProbe, wsUrl } from './ws-probe.ts';

describe('realtime display channel', () => {
  let t: TestServer;
  let d: DemoTenant;
  let api: ReturnType<typeof ticketApi>;
  let queueA: string;
  let queueB: string;
  const displayUrl = (displayId: string, query: Record<string, string>) => wsUrl(t.url, `/ws/tenants/${d.slug}/displays/${displayId}/`, query);

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    api = ticketApi(t, d);
    queueA = d.demo.queues[0]!.id;
    queueB = d.demo.queues[1]!.id;
  });
  afterAll(() => t.close());

  it('shows its queues with waiting counts and the last calls on connect', async () => {
    const called = await api.create(queueA);
    await api.create(queueA);
    await api.callNext(d.agentTokens[0]!, queueA);
    const displayId = insertDisplay(t, d, [queueA]);
    const key = insertDevice(t, d, 'display', displayId);

    const { probe, snapshot } = await WsProbe.connect(displayUrl(displayId, { device_key: key }));
    expect(() => DisplayChannelMessage.parse(snapshot)).not.toThrow();
    expect(snapshot).toMatchObject({ type: 'connection', seq: 0, display: { id: displayId, name: 'Hall TV', type: 'main', queue_ids: [queueA] } });
    expect(snapshot.queues).toEqual([{ id: queueA, name: d.demo.queues[0]!.name, prefix: 'A', status: 'open', waiting_count: 1 }]);
    expect(snapshot.recent_calls).toEqual([expect.objectContaining({ ticket_id: called.id, number: called.number, counter: 'Guichet 1', recall_count: 0 })]);
    await api.act(called.id, 'close', d.agentTokens[0]!);
    await probe.close();
  });

  it('announces calls and recalls of its queues with the counter, and nothing of other queues', async () => {
    const displayId = insertDisplay(t, d, [queueA]);
    const { probe, snapshot } = await WsProbe.connect(displayUrl(displayId, { token: d.adminToken }));

    const inB = await api.create(queueB);
    await api.callNext(d.agentTokens[1]!, queueB);
    const inA = await api.create(queueA);
    const updated = await probe.next();
    expect(updated).toMatchObject({ type: 'ticket_updated', event: 'ticket.created', ticket_id: inA.id, seq: snapshot.seq + 1 });

    // The first test left one ticket waiting in A: it is the one called first.
    const picked = await api.callNext(d.agentTokens[0]!, queueA);
    const call = await probe.next();
    expect(() => DisplayChannelMessage.parse(call)).not.toThrow();
    expect(call).toMatchObject({
      type: 'ticket_called', event: 'ticket.called', seq: snapshot.seq + 2, ticket_id: picked.id, number: picked.number,
      counter: 'Guichet 1', queue_id: queueA, queue_name: d.demo.queues[0]!.name, recall_count: 0, status: 'appele',
    });
    expect(call.waiting_count).toBe(1); // inA still waits

    await api.act(picked.id, 'recall', d.agentTokens[0]!);
    expect(await probe.next()).toMatchObject({ type: 'ticket_called', event: 'ticket.recalled', ticket_id: picked.id, recall_count: 1, seq: snapshot.seq + 3 });
    await api.act(picked.id, 'close', d.agentTokens[0]!);
    expect(await probe.next()).toMatchObject({ type: 'ticket_updated', event: 'ticket.closed', status: 'clos', seq: snapshot.seq + 4 });
    expect(probe.messages.some((m) => m.ticket_id === inB.id)).toBe(false);
    await api.act(inB.id, 'close', d.agentTokens[1]!);
    await api.act(inA.id, 'transfer', d.adminToken, { target_queue_id: d.demo.queues[2]!.id });
    await probe.close();
  });

  it('shows every queue of the tenant when its list is empty', async () => {
    const displayId = insertDisplay(t, d, []);
    const { probe, snapshot } = await WsProbe.connect(displayUrl(displayId, { token: d.adminToken }));
    expect(snapshot.display.queue_ids).toEqual(d.demo.queues.map((q) => q.id));
    const inB = await api.create(queueB);
    await api.callNext(d.agentTokens[1]!, queueB);
    await probe.next((m) => m.type === 'ticket_updated' && m.ticket_id === inB.id);
    expect(await probe.next()).toMatchObject({ type: 'ticket_called', ticket_id: inB.id, counter: 'Guichet 2', queue_id: queueB });
    await api.act(inB.id, 'close', d.agentTokens[1]!);
    await probe.close();
  });

  it('tells the display to refresh when its configuration changes, and follows its new queues', async () => {
    const displayId = insertDisplay(t, d, [queueA]);
    const { probe, snapshot } = await WsProbe.connect(displayUrl(displayId, { token: d.adminToken }));
    t.server.deps.db.run(qb.updateTable('display').set({ queue_ids: JSON.stringify([queueB]) }).where('id', '=', displayId));
    t.server.events.publish([{ kind: 'display-refresh', tenantId: d.tenantId, tenantSlug: d.slug, displayId }]);
    expect(await probe.next()).toEqual({ type: 'refresh', seq: snapshot.seq + 1 });

    await api.create(queueA);
    const inB = await api.create(queueB);
    expect(await probe.next()).toMatchObject({ type: 'ticket_updated', ticket_id: inB.id, queue_id: queueB });
    probe.send({ type: 'resync' });
    expect((await probe.next()).display.queue_ids).toEqual([queueB]);
    await probe.close();
  });

  it('closes the channel of a display that was deleted', async () => {
    const displayId = insertDisplay(t, d, [queueA]);
    const { probe } = await WsProbe.connect(displayUrl(displayId, { token: d.adminToken }));
    t.server.deps.db.run(qb.deleteFrom('display').where('id', '=', displayId));
    t.server.events.publish([{ kind: 'display-refresh', tenantId: d.tenantId, tenantSlug: d.slug, displayId }]);
    expect(await probe.closed).toMatchObject({ code: realtimeCloseCodes.gone });
  });

  it('answers ping with pong and a malformed message with an error, staying connected', async () => {
    const displayId = insertDisplay(t, d, [queueA]);
    const { probe } = await WsProbe.connect(displayUrl(displayId, { token: d.adminToken }));
    probe.send({ type: 'ping' });
    expect(await probe.next()).toEqual({ type: 'pong' });
    probe.ws.send('not json');
    expect(await probe.next()).toMatchObject({ type: 'error', code: 'validation-failed' });
    probe.send({ type: 'ping' });
    expect(await probe.next()).toEqual({ type: 'pong' });
    await probe.close();
  });
});
