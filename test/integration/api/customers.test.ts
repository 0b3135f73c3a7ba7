import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('customers API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const base = () => `/api/v1/tenants/${d.slug}/customers/`;
  const db = () => t.server.deps.db;
  const outboxFor = (id: string) => db().raw<{ entity: string; op: string }>('SELECT entity, op FROM sync_outbox WHERE entity_id = ? ORDER BY seq', id);
  const create = (body: unknown) => t.api('POST', base(), { token: d.adminToken, body });

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
  });
  afterAll(() => t.close());

  it('creates, reads and updates a customer, writing an outbox row and an audit row (without personal values) each time', async () => {
    const created = await create({
      first_name: 'Khady', last_name: 'Faye', phone: '+221 77 123 45 67', email: 'Khady.Faye@Example.SN', language: 'ar',
      notify_sms: true, consents: { sms: true, marketing: false }, tags: ['vip', 'senior', 'vip'], metadata: { segment: 'premium' }, external_ref: 'CRM-42',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      first_name: 'Khady', email: 'khady.faye@example.sn', language: 'ar', notify_sms: true, notify_email: false,
      consents: { sms: true, marketing: false }, tags: ['vip', 'senior'], metadata: { segment: 'premium' }, external_ref: 'CRM-42',
    });
    const id = created.body.id as string;
    expect((await t.api('GET', `${base()}${id}/`, { token: d.agentTokens[0] })).body.phone).toBe('+221 77 123 45 67');

    const patched = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { tags: ['vip'], consents: { sms: false }, notify_sms: false } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ tags: ['vip'], consents: { sms: false }, notify_sms: false, last_name: 'Faye' });

    expect(outboxFor(id)).toEqual([{ entity: 'customer', op: 'insert' }, { entity: 'customer', op: 'update' }]);
    const audit = db().raw<{ action: string; after: string }>('SELECT action, after FROM audit_log WHERE entity_id = ? ORDER BY seq', id);
    expect(audit.map((a) => a.action)).toEqual(['customer.created', 'customer.updated']);
    expect(JSON.parse(audit[1]!.after)).toEqual({ fields: ['notify_sms', 'consents', 'tags'] });
    expect(audit.map((a) => a.after).join(' ')).not.toMatch(/Khady|Faye|123 45|example\.sn/);
  });

  it('filters by phone, email, search and tags', async () => {
    const a = await create({ first_name: 'Ousmane', last_name: 'Sow', phone: '+221770001111', email: 'osow@example.sn', tags: ['pro', 'vip'] });
    const b = await create({ first_name: 'Aminata', last_name: 'Sow', phone: '+221770002222', tags: ['pro'] });
    const ids = async (query: string) => (await t.api('GET', `${base()}?${query}`, { token: d.adminToken })).body.results.map((c: { id: string }) => c.id);
    expect(await ids('phone=%2B221770001111')).toEqual([a.body.id]);
    expect(await ids('email=OSOW@example.sn')).toEqual([a.body.id]);
    expect(await ids('search=sow')).toEqual([b.body.id, a.body.id]);
    expect(await ids('search=02222')).toEqual([b.body.id]);
    expect(await ids('search=ousmane%20sow')).toEqual([a.body.id]);
    expect(await ids('search=100%25')).toEqual([]);
    expect(await ids('tags=pro')).toEqual([b.body.id, a.body.id]);
    expect(await ids('tags=pro,vip')).toEqual([a.body.id]);
  });

  it('refuses bad input with 400 and details, creating nothing', async () => {
    const count = () => db().raw<{ n: number }>('SELECT count(*) AS n FROM customer WHERE tenant_id = ?', d.tenantId)[0]!.n;
    const before = count();
    const cases: [unknown, string][] = [
      [{}, '(body)'],
      [{ first_name: 'A', email: 'nope' }, 'email'],
      [{ first_name: 'A', phone: 'call me' }, 'phone'],
      [{ first_name: 'A', language: 'de' }, 'language'],
      [{ first_name: 'A', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
      [{ first_name: 'A', metadata: ['x'] }, 'metadata'],
      [{ first_name: 'A', password: 'x' }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.details[0].field, JSON.stringify(body)).toBe(field);
    }
    expect(count()).toBe(before);
  });

  it('forgets a customer: personal data erased from their tickets and feedback, statistics kept, tombstone synced, audited', async () => {
    const customer = await create({ first_name: 'Binta', last_name: 'Cisse', phone: '+221779998877' });
    const id = customer.body.id as string;
    const queueA = d.demo.queues[0]!.id;
    const ticket = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, {
      token: d.adminToken, body: { queue: queueA, customer: id, customer_name: 'Binta Cisse', customer_phone: '+221779998877' },
    });
    const agent = d.agentTokens[0]!;
    await t.api('POST', `/api/v1/tenants/${d.slug}/agents/call-next/`, { token: agent, body: { queue_id: queueA } });
    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${ticket.body.id}/start_service/`, { token: agent });
    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${ticket.body.id}/close/`, { token: agent });
    const feedback = await t.api('POST', `/api/v1/tenants/${d.slug}/feedback/`, { token: d.adminToken, body: { ticket: ticket.body.id, csat: 5, comment: 'Merci, Binta' } });
    expect(feedback.status).toBe(201);
    expect(feedback.body.customer).toBe(id);

    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).status).toBe(404);
    const kept = await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/${ticket.body.id}/`, { token: d.adminToken });
    expect(kept.body).toMatchObject({ status: 'clos', customer: null, customer_name: '', customer_phone: '', number: ticket.body.number });
    expect(kept.body.started_at).not.toBeNull();
    const fb = await t.api('GET', `/api/v1/tenants/${d.slug}/feedback/?ticket=${ticket.body.id}`, { token: d.adminToken });
    expect(fb.body.results[0]).toMatchObject({ csat: 5, comment: '', customer: null });

    expect(outboxFor(id).at(-1)).toEqual({ entity: 'customer', op: 'delete' });
    const forgotten = db().raw<{ after: string }>("SELECT after FROM audit_log WHERE action = 'customer.forgotten' AND entity_id = ?", id);
    expect(JSON.parse(forgotten[0]!.after)).toMatchObject({ tickets: 1, feedback: 1 });
    const leftovers = db().raw<{ n: number }>(
      "SELECT (SELECT count(*) FROM ticket WHERE customer_phone = '+221779998877' OR customer_name LIKE '%Binta%') + (SELECT count(*) FROM audit_log WHERE coalesce(after, '') LIKE '%Binta%' OR coalesce(before, '') LIKE '%Binta%') AS n",
    )[0]!.n;
    expect(leftovers).toBe(0);
  });

  it('lets agents read customers but not change them', async () => {
    const token = d.agentTokens[0]!;
    const existing = d.demo.customers[0]!;
    expect((await t.api('GET', base(), { token })).status).toBe(200);
    const denied = await t.api('POST', base(), { token, body: { first_name: 'X' } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('missing-scope');
    expect((await t.api('PATCH', `${base()}${existing}/`, { token, body: { first_name: 'X' } })).status).toBe(403);
    expect((await t.api('DELETE', `${base()}${existing}/`, { token })).status).toBe(403);
  });

  it("keeps another tenant's customers invisible", async () => {
    const foreign = other.demo.customers[0]!;
    expect((await t.api('GET', `${base()}${foreign}/`, { token: d.adminToken })).status).toBe(404);
    expect((await t.api('PATCH', `${base()}${foreign}/`, { token: d.adminToken, body: { first_name: 'X' } })).status).toBe(404);
    expect((await t.api('DELETE', `${base()}${foreign}/`, { token: d.adminToken })).status).toBe(404);
    const list = await t.api('GET', `${base()}?phone=%2B221770000001`, { token: d.adminToken });
    expect(list.body.count).toBe(1);
    expect(list.body.results[0].id).toBe(d.demo.customers[0]);
    const otherStill = await t.api('GET', `/api/v1/tenants/${other.slug}/customers/${foreign}/`, { token: other.adminToken });
    expect(otherStill.body.first_name).toBe('Awa');
  });
});
