import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../branch-server/use-cases/events.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('agents API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const events: DomainEvent[] = [];
  const base = () => `/api/v1/tenants/${d.slug}/agents/`;
  const setStatus = (token: string, body: unknown) => t.api('POST', `${base()}set-status/`, { token, body });

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
    t.server.events.subscribe((e) => events.push(e));
  });
  afterAll(() => t.close());

  it('lists agents with status, counter, queues and the ticket they hold', async () => {
    const queueA = d.demo.queues[0]!.id;
    const ticket = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: queueA } });
    await t.api('POST', `${base()}call-next/`, { token: d.agentTokens[0], body: {} });
    const res = await t.api('GET', base(), { token: d.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(3);
    const [first, second] = res.body.results;
    expect(first).toMatchObject({
      id: d.demo.agents[0]!.userId, counter: 'Guichet 1', status: 'busy', role: 'agent',
      current_ticket: { id: ticket.body.id, number: ticket.body.number, status: 'appele', queue: queueA },
    });
    expect(first.queue_ids).toHaveLength(3);
    expect(second).toMatchObject({ counter: 'Guichet 2', status: 'available', current_ticket: null, queue_ids: [d.demo.queues[1]!.id] });
    const busy = await t.api('GET', `${base()}?status=busy`, { token: d.adminToken });
    expect(busy.body.results.map((a: { id: string }) => a.id)).toEqual([d.demo.agents[0]!.userId]);
    const onC = await t.api('GET', `${base()}?queue=${d.demo.queues[2]!.id}`, { token: d.adminToken });
    expect(onC.body.results.map((a: { counter: string }) => a.counter)).toEqual(['Guichet 1', 'Guichet 3']);
  });

  it("gives the signed-in agent their own profile, and 404 to a member without one", async () => {
    const me = await t.api('GET', `${base()}me/`, { token: d.agentTokens[1] });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: d.demo.agents[1]!.userId, counter: 'Guichet 2', email: 'agent2@demo-bank.local' });
    expect((await t.api('GET', `${base()}me/`, { token: d.adminToken })).status).toBe(404);
  });

  it('pauses an agent with a reason: no calls until available again, the change is audited and published', async () => {
    const token = d.agentTokens[2]!;
    const agentId = d.demo.agents[2]!.userId;
    events.length = 0;
    const paused = await setStatus(token, { status: 'paused', reason: 'Pause déjeuner', counter: 'Guichet 3B' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ user_id: agentId, status: 'paused', status_reason: 'Pause déjeuner', counter: 'Guichet 3B' });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'agent', agentId, payload: expect.objectContaining({ status: 'paused', counter: 'Guichet 3B' }) }));
    const audit = t.server.deps.db.raw<{ after: string }>("SELECT after FROM audit_log WHERE action = 'agent.status_changed' AND entity_id = ?", agentId);
    expect(JSON.parse(audit.at(-1)!.after)).toEqual({ status: 'paused', status_reason: 'Pause déjeuner', counter: 'Guichet 3B' });

    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[2]!.id } });
    const refused = await t.api('POST', `${base()}call-next/`, { token, body: {} });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('agent-not-available');
    const available = await setStatus(token, { status: 'available' });
    expect(available.body).toMatchObject({ status: 'available', status_reason: '', counter: 'Guichet 3B' });
    expect((await t.api('POST', `${base()}call-next/`, { token, body: {} })).status).toBe(200);
  });

  it('lets an agent pause while holding a ticket: the ticket stays with them', async () => {
    const token = d.agentTokens[1]!;
    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[1]!.id } });
    const called = await t.api('POST', `${base()}call-next/`, { token, body: {} });
    expect((await setStatus(token, { status: 'paused', reason: 'Urgence' })).status).toBe(200);
    const me = await t.api('GET', `${base()}me/`, { token });
    expect(me.body).toMatchObject({ status: 'paused', current_ticket: { id: called.body.id, status: 'appele' } });
  });

  it('refuses unknown statuses and fields', async () => {
    const token = d.agentTokens[0]!;
    for (const body of [{ status: 'offline' }, { status: 'sleeping' }, {}, { status: 'available', mood: 'good' }]) {
      const res = await setStatus(token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('refuses the agent list to agents (read:agent) and set-status to a member without a profile', async () => {
    const list = await t.api('GET', base(), { token: d.agentTokens[0] });
    expect(list.status).toBe(403);
    expect(list.body.code).toBe('missing-scope');
    const admin = await setStatus(d.adminToken, { status: 'available' });
    expect(admin.status).toBe(400);
    expect(admin.body.code).toBe('agent-not-available');
  });

  it("keeps another tenant's agents out of the list and refuses a foreign agent's status change here", async () => {
    const res = await t.api('GET', base(), { token: d.adminToken });
    const ids = res.body.results.map((a: { id: string }) => a.id);
    for (const a of other.demo.agents) expect(ids).not.toContain(a.userId);
    expect((await setStatus(other.agentTokens[0]!, { status: 'paused' })).status).toBe(403);
  });
});
