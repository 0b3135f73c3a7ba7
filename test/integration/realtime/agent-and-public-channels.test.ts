import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentChannelMessage, PublicChannelMessage } from '../../../branch-server/contract/realtime.contract.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { ticketApi } from './fixtures.ts';
import { WsProbe, wsUrl } from './ws-probe.ts';

describe('realtime agents and public ticket channels', () => {
  let t: TestServer;
  let d: DemoTenant;
  let api: ReturnType<typeof ticketApi>;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    api = ticketApi(t, d);
  });
  afterAll(() => t.close());

  it('tells an agent their status on connect and each change on call-next and close', async () => {
    const agent = d.demo.agents[1]!;
    const token = d.agentTokens[1]!;
    const queueB = d.demo.queues[1]!.id;
    const url = wsUrl(t.url, `/ws/tenants/${d.slug}/agents/${agent.userId}/`, { token });
    const { probe, snapshot } = await WsProbe.connect(url);
    expect(() => AgentChannelMessage.parse(snapshot)).not.toThrow();
    expect(snapshot).toMatchObject({ type: 'connection', seq: 0, agent_id: agent.userId, payload: { user_id: agent.userId, status: 'available', counter: agent.counter }, active_ticket: null });

    const issued = await api.create(queueB);
    await api.callNext(token);
    const busy = await probe.next();
    expect(() => AgentChannelMessage.parse(busy)).not.toThrow();
    expect(busy).toMatchObject({ type: 'status_updated', seq: 1, agent_id: agent.userId, payload: { status: 'busy' } });

    // A manager's screen following the same agent sees the active ticket in its snapshot.
    const { probe: manager, snapshot: managerView } = await WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/agents/${agent.userId}`, { token: d.adminToken }));
    expect(managerView).toMatchObject({ seq: 1, payload: { status: 'busy' }, active_ticket: { id: issued.id, status: 'appele', counter: agent.counter } });

    await api.act(issued.id, 'close', token);
    expect(await probe.next()).toMatchObject({ type: 'status_updated', seq: 2, payload: { status: 'available' } });
    expect(await manager.next()).toMatchObject({ type: 'status_updated', seq: 2, payload: { status: 'available' } });
    await Promise.all([probe.close(), manager.close()]);
  });

  it("moves the customer's position up when a ticket ahead is called, then shows the counter on their call", async () => {
    const queueC = d.demo.queues[2]!.id;
    const agent = d.agentTokens[2]!;
    const ahead = await api.create(queueC);
    const mine = await api.create(queueC);
    const { probe, snapshot } = await WsProbe.connect(wsUrl(t.url, `/ws/public/tickets/${mine.public_id}/`));
    expect(() => PublicChannelMessage.parse(snapshot)).not.toThrow();
    const http = await t.api('GET', `/api/v1/public/tickets/${mine.public_id}/`);
    expect(snapshot).toEqual({ type: 'connection', seq: 0, ticket: http.body });
    expect(snapshot.ticket).toMatchObject({ number: mine.number, status: 'en_attente', position: 2, queue_name: d.demo.queues[2]!.name, site_name: 'Agence Dakar Plateau' });

    await api.callNext(agent);
    const moved = await probe.next();
    expect(() => PublicChannelMessage.parse(moved)).not.toThrow();
    expect(moved).toMatchObject({ type: 'ticket_updated', seq: 1, ticket: { public_id: mine.public_id, status: 'en_attente', position: 1 } });
    expect(moved.ticket.eta_seconds).toBeLessThanOrEqual(snapshot.ticket.eta_seconds);

    await api.act(ahead.id, 'close', agent);
    await api.callNext(agent);
    const called = await probe.next((m) => m.ticket.status === 'appele');
    expect(called.ticket).toMatchObject({ status: 'appele', counter: 'Guichet 3', position: null });
    expect(probe.messages.map((m) => m.seq)).toEqual(probe.messages.map((_, i) => i));
    await api.act(mine.id, 'close', agent);
    expect((await probe.next()).ticket.status).toBe('clos');
    await probe.close();
  });

  it('follows a transfer: the same public id now shows the new queue, then its call', async () => {
    const queueA = d.demo.queues[0]!.id;
    const queueC = d.demo.queues[2]!.id;
    const mine = await api.create(queueC);
    const { probe } = await WsProbe.connect(wsUrl(t.url, `/ws/public/tickets/${mine.public_id}`));

    const moved = await api.act(mine.id, 'transfer', d.adminToken, { target_queue_id: queueA, reason: 'needs an account' });
    const update = await probe.next();
    expect(update.ticket).toMatchObject({ public_id: mine.public_id, number: mine.number, status: 'en_attente', queue_name: d.demo.queues[0]!.name, position: 1 });

    // Only agent 1 serves queue A: its call of the moved ticket reaches the customer's original link.
    await api.callNext(d.agentTokens[0]!, queueA);
    const called = await probe.next((m) => m.ticket.status === 'appele');
    expect(called.ticket).toMatchObject({ public_id: mine.public_id, counter: 'Guichet 1' });
    await api.act(moved.id, 'close', d.agentTokens[0]!);
    await probe.close();
  });

  it('sends the public view again on resync', async () => {
    const mine = await api.create(d.demo.queues[1]!.id);
    const { probe, snapshot } = await WsProbe.connect(wsUrl(t.url, `/ws/public/tickets/${mine.public_id}/`));
    probe.send({ type: 'resync' });
    expect(await probe.next()).toEqual(snapshot);
    await probe.close();
  });
});
