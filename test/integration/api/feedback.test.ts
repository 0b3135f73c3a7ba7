import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceAuthorization } from '../../helpers/principals.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('feedback API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const base = () => `/api/v1/tenants/${d.slug}/feedback/`;
  const tickets = () => `/api/v1/tenants/${d.slug}/tickets/`;

  /** Issues a ticket in demo queue `q` (0..2) and has the agent serving it call and close it. */
  async function closedTicket(q: number, tenant: DemoTenant = d): Promise<{ id: string; public_id: string; number: string }> {
    const queue = tenant.demo.queues[q]!.id;
    const agent = tenant.agentTokens[q]!;
    const issued = await t.api('POST', `/api/v1/tenants/${tenant.slug}/tickets/`, { token: tenant.adminToken, body: { queue } });
    const called = await t.api('POST', `/api/v1/tenants/${tenant.slug}/agents/call-next/`, { token: agent, body: { queue_id: queue } });
    expect(called.body.id).toBe(issued.body.id);
    await t.api('POST', `/api/v1/tenants/${tenant.slug}/tickets/${issued.body.id}/close/`, { token: agent });
    return issued.body;
  }

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
  });
  afterAll(() => t.close());

  it('records staff feedback on a closed ticket once, with its NPS category, outbox and audit rows', async () => {
    const ticket = await closedTicket(0);
    const res = await t.api('POST', base(), { token: d.agentTokens[0], body: { ticket: ticket.id, csat: 4, nps: 9, service_rating: 5, comment: 'Rapide', tags: ['accueil'] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ticket: ticket.id, ticket_number: ticket.number, queue: d.demo.queues[0]!.id, csat: 4, nps: 9, nps_category: 'promoter', channel: 'staff', tags: ['accueil'], wait_rating: null });
    const db = t.server.deps.db;
    expect(db.raw('SELECT entity, op FROM sync_outbox WHERE entity_id = ?', res.body.id)).toEqual([{ entity: 'feedback', op: 'insert' }]);
    expect(db.raw('SELECT action FROM audit_log WHERE entity_id = ?', res.body.id)).toEqual([{ action: 'feedback.created' }]);

    const again = await t.api('POST', base(), { token: d.adminToken, body: { ticket: ticket.id, csat: 1 } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
  });

  it('refuses feedback without a score, on an open ticket, or on a ticket of another tenant', async () => {
    const none = await t.api('POST', base(), { token: d.adminToken, body: { comment: 'No score' } });
    expect(none.status).toBe(400);
    expect(none.body.details[0].message).toContain('at least one score');
    const range = await t.api('POST', base(), { token: d.adminToken, body: { nps: 11 } });
    expect(range.body.details[0].field).toBe('nps');
    const waiting = await t.api('POST', tickets(), { token: d.adminToken, body: { queue: d.demo.queues[0]!.id } });
    const open = await t.api('POST', base(), { token: d.adminToken, body: { ticket: waiting.body.id, csat: 3 } });
    expect(open.status).toBe(400);
    expect(open.body.details).toEqual([{ field: 'ticket', message: 'ticket is not closed' }]);
    const foreign = await closedTicket(1, other);
    const cross = await t.api('POST', base(), { token: d.adminToken, body: { ticket: foreign.id, csat: 3 } });
    expect(cross.status).toBe(400);
    expect(cross.body).toMatchObject({ code: 'invalid-reference', details: [{ field: 'ticket', message: 'unknown ticket' }] });
    const count = t.server.deps.db.raw<{ n: number }>('SELECT count(*) AS n FROM feedback WHERE ticket_id IN (?, ?)', waiting.body.id, foreign.id)[0]!.n;
    expect(count).toBe(0);
  });

  it('takes kiosk feedback without a ticket, and refuses devices without the capability', async () => {
    const kiosk = deviceAuthorization(t, { tenantId: d.tenantId, type: 'kiosk' });
    const res = await t.api('POST', base(), { headers: kiosk, body: { csat: 2, wait_rating: 1 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ticket: null, channel: 'kiosk', csat: 2 });
    const display = deviceAuthorization(t, { tenantId: d.tenantId, type: 'display' });
    expect((await t.api('POST', base(), { headers: display, body: { csat: 5 } })).status).toBe(403);
    expect((await t.api('GET', base(), { headers: kiosk })).status).toBe(403);
  });

  it("takes the customer's feedback from the phone page once, only after service, following a transfer", async () => {
    const queueA = d.demo.queues[0]!.id;
    const issued = await t.api('POST', tickets(), { token: d.adminToken, body: { queue: queueA } });
    const publicUrl = `/api/v1/public/tickets/${issued.body.public_id}/feedback/`;
    const early = await t.api('POST', publicUrl, { body: { csat: 5 } });
    expect(early.status).toBe(400);
    // Transferred to queue B, then served there: the paper ticket's public id still works.
    await t.api('POST', `${tickets()}${issued.body.id}/transfer/`, { token: d.adminToken, body: { target_queue_id: d.demo.queues[1]!.id } });
    const called = await t.api('POST', `/api/v1/tenants/${d.slug}/agents/call-next/`, { token: d.agentTokens[1], body: {} });
    await t.api('POST', `${tickets()}${called.body.id}/close/`, { token: d.agentTokens[1] });

    const res = await t.api('POST', publicUrl, { body: { nps: 6, comment: 'Trop long' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ticket: called.body.id, channel: 'web', nps_category: 'detractor', queue: d.demo.queues[1]!.id });
    expect((await t.api('POST', publicUrl, { body: { nps: 10 } })).status).toBe(409);
    expect((await t.api('POST', '/api/v1/public/tickets/not-a-real-public-id-123/feedback/', { body: { nps: 10 } })).status).toBe(404);
    expect((await t.api('POST', publicUrl, { body: { nps: 10, ticket: issued.body.id } })).status).toBe(400);
  });

  it('lists with filters and summarises CSAT and NPS (promoters − detractors)', async () => {
    const scores = [{ csat: 5, nps: 10 }, { csat: 4, nps: 9 }, { csat: 3, nps: 7 }, { csat: 1, nps: 2 }];
    const ids: string[] = [];
    for (const s of scores) {
      const ticket = await closedTicket(2);
      ids.push((await t.api('POST', base(), { token: d.adminToken, body: { ticket: ticket.id, ...s } })).body.id);
    }
    const queueC = d.demo.queues[2]!.id;
    const summary = await t.api('GET', `${base()}summary/?queue=${queueC}`, { token: d.adminToken });
    expect(summary.status).toBe(200);
    expect(summary.body).toEqual({
      count: 4, csat_count: 4, avg_csat: 3.25, nps_count: 4, promoters: 2, passives: 1, detractors: 1, nps_score: 25,
      avg_wait_rating: null, avg_service_rating: null,
    });
    const promoters = await t.api('GET', `${base()}?queue=${queueC}&nps_category=promoter`, { token: d.adminToken });
    expect(promoters.body.results.map((f: { id: string }) => f.id)).toEqual([ids[1], ids[0]]);
    const future = await t.api('GET', `${base()}?created_after=2999-01-01`, { token: d.adminToken });
    expect(future.body.count).toBe(0);
    const bad = await t.api('GET', `${base()}?created_after=yesterday`, { token: d.adminToken });
    expect(bad.status).toBe(400);
    const empty = await t.api('GET', `${base()}summary/?created_after=2999-01-01`, { token: d.adminToken });
    expect(empty.body).toMatchObject({ count: 0, avg_csat: null, nps_score: null });
  });

  it('refuses the list and summary to agents (read:feedback)', async () => {
    expect((await t.api('GET', base(), { token: d.agentTokens[0] })).status).toBe(403);
    expect((await t.api('GET', `${base()}summary/`, { token: d.agentTokens[0] })).status).toBe(403);
  });

  it("keeps another tenant's feedback out of lists and summaries", async () => {
    const foreign = await closedTicket(0, other);
    await t.api('POST', `/api/v1/tenants/${other.slug}/feedback/`, { token: other.adminToken, body: { ticket: foreign.id, csat: 5 } });
    const list = await t.api('GET', `${base()}?ticket=${foreign.id}`, { token: d.adminToken });
    expect(list.body.count).toBe(0);
    const mine = await t.api('GET', `${base()}summary/`, { token: d.adminToken });
    const theirs = await t.api('GET', `/api/v1/tenants/${other.slug}/feedback/summary/`, { token: other.adminToken });
    expect(theirs.body.count).toBe(1);
    expect(mine.body.count).toBe(t.server.deps.db.raw<{ n: number }>('SELECT count(*) AS n FROM feedback WHERE tenant_id = ?', d.tenantId)[0]!.n);
  });
});
