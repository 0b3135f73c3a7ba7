import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('members API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  let managerToken: string;
  const base = () => `/api/v1/tenants/${d.slug}/members/`;
  const db = () => t.server.deps.db;
  const adminId = () => db().raw<{ id: string }>('SELECT id FROM user WHERE email = ?', d.adminEmail)[0]!.id;

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
    const manager = await t.api('POST', `/api/v1/tenants/${d.slug}/members/`, {
      token: d.adminToken, body: { email: 'manager@demo-bank.com', password: 'manager-pass-1', first_name: 'Mariama', last_name: 'Ba', role: 'manager' },
    });
    expect(manager.status).toBe(201);
    managerToken = await t.login('manager@demo-bank.com', 'manager-pass-1');
  });
  afterAll(() => t.close());

  it('creates an agent with skills and a counter, who can sign in and call their queue; no password hash is ever returned', async () => {
    const queueB = d.demo.queues[1]!.id;
    const res = await t.api('POST', base(), {
      token: managerToken,
      body: { email: 'Fatou.Sall@Demo-Bank.com', password: 'fatou-pass-1', first_name: 'Fatou', last_name: 'Sall', role: 'agent', queue_ids: [queueB], counter: 'Guichet 7' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'fatou.sall@demo-bank.com', role: 'agent', is_active: true, queue_ids: [queueB], counter: 'Guichet 7', agent_status: 'available' });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon/i);
    const stored = db().raw<{ password_hash: string }>('SELECT password_hash FROM user WHERE id = ?', res.body.id)[0]!;
    expect(stored.password_hash.startsWith('$argon2id$')).toBe(true);

    const token = await t.login('fatou.sall@demo-bank.com', 'fatou-pass-1');
    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: queueB } });
    const called = await t.api('POST', `/api/v1/tenants/${d.slug}/agents/call-next/`, { token, body: {} });
    expect(called.status).toBe(200);
    expect(called.body.counter).toBe('Guichet 7');

    const list = await t.api('GET', `${base()}?role=agent&queue=${queueB}`, { token: d.adminToken });
    expect(list.body.results.map((m: { email: string }) => m.email).sort()).toEqual(['agent1@demo-bank.local', 'agent2@demo-bank.local', 'fatou.sall@demo-bank.com']);
    expect(JSON.stringify(list.body)).not.toMatch(/password/i);
    const search = await t.api('GET', `${base()}?search=fatou%20sall`, { token: d.adminToken });
    expect(search.body.results.map((m: { id: string }) => m.id)).toEqual([res.body.id]);
    const audit = db().raw<{ action: string; after: string }>("SELECT action, after FROM audit_log WHERE entity = 'member' AND entity_id = ?", res.body.id);
    expect(audit.map((a) => a.action)).toEqual(['member.created']);
    expect(audit[0]!.after).not.toMatch(/argon|fatou-pass/);
  });

  it("adds a member of another tenant without touching their password, and refuses the same e-mail twice", async () => {
    const res = await t.api('POST', base(), {
      token: d.adminToken, body: { email: other.adminEmail, password: 'something-else', first_name: 'Ignored', role: 'manager' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: 'manager', first_name: 'Admin', queue_ids: [], counter: null, agent_status: null });
    await expect(t.login(other.adminEmail, 'something-else')).rejects.toThrow();
    const token = await t.login(other.adminEmail, ADMIN_PASSWORD);
    expect((await t.api('GET', base(), { token })).status).toBe(200);

    const again = await t.api('POST', base(), { token: d.adminToken, body: { email: other.adminEmail.toUpperCase(), password: 'whatever-1', role: 'agent' } });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('email-taken');
  });

  it('refuses bad input with 400 and creates nothing', async () => {
    const users = () => db().raw<{ n: number }>('SELECT count(*) AS n FROM user')[0]!.n;
    const before = users();
    const short = await t.api('POST', base(), { token: d.adminToken, body: { email: 'x@demo-bank.com', password: 'short', role: 'agent' } });
    expect(short.status).toBe(400);
    expect(short.body.details[0]).toEqual({ field: 'password', message: 'must be at least 8 characters', code: 'too_small', minimum: 8, origin: 'string' });
    const email = await t.api('POST', base(), { token: d.adminToken, body: { email: 'not-an-email', password: 'long-enough', role: 'agent' } });
    expect(email.body.details[0].field).toBe('email');
    const role = await t.api('POST', base(), { token: d.adminToken, body: { email: 'x@demo-bank.com', password: 'long-enough', role: 'owner' } });
    expect(role.body.details[0].field).toBe('role');
    const foreignQueue = await t.api('POST', base(), {
      token: d.adminToken, body: { email: 'x@demo-bank.com', password: 'long-enough', role: 'agent', queue_ids: [d.demo.queues[0]!.id, other.demo.queues[0]!.id] },
    });
    expect(foreignQueue.status).toBe(400);
    expect(foreignQueue.body).toMatchObject({ code: 'invalid-reference', details: [{ field: 'queue_ids.1', message: 'unknown queue' }] });
    expect(users()).toBe(before);
  });

  it('lets only an admin grant or change the admin role', async () => {
    const byManager = await t.api('POST', base(), { token: managerToken, body: { email: 'boss@demo-bank.com', password: 'long-enough', role: 'admin' } });
    expect(byManager.status).toBe(403);
    expect(byManager.body.code).toBe('missing-scope');
    const agentId = d.demo.agents[2]!.userId;
    const promote = await t.api('PATCH', `${base()}${agentId}/`, { token: managerToken, body: { role: 'admin' } });
    expect(promote.status).toBe(403);
    const demoteAdmin = await t.api('PATCH', `${base()}${adminId()}/`, { token: managerToken, body: { is_active: false } });
    expect(demoteAdmin.status).toBe(403);
    expect((await t.api('GET', `${base()}${agentId}/`, { token: d.adminToken })).body.role).toBe('agent');
  });

  it('never demotes or deactivates the last active admin', async () => {
    const id = adminId();
    const demote = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { role: 'manager' } });
    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe('conflict');
    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(409);
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).body).toMatchObject({ role: 'admin', is_active: true });
  });

  it('updates role, skills, counter and names, and the new role takes effect at once', async () => {
    const created = await t.api('POST', base(), { token: d.adminToken, body: { email: 'moda@demo-bank.com', password: 'long-enough', role: 'agent', queue_ids: [d.demo.queues[0]!.id] } });
    const id = created.body.id as string;
    const token = await t.login('moda@demo-bank.com', 'long-enough');
    expect((await t.api('GET', base(), { token })).status).toBe(403);

    const patched = await t.api('PATCH', `${base()}${id}/`, {
      token: d.adminToken, body: { role: 'manager', queue_ids: [d.demo.queues[1]!.id, d.demo.queues[2]!.id], counter: 'Guichet 9', first_name: 'Modou', last_name: 'Diagne' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ role: 'manager', counter: 'Guichet 9', first_name: 'Modou', last_name: 'Diagne' });
    expect([...patched.body.queue_ids].sort()).toEqual([d.demo.queues[1]!.id, d.demo.queues[2]!.id].sort());
    expect((await t.api('GET', base(), { token })).status).toBe(200);
    const audit = db().raw<{ before: string; after: string }>("SELECT before, after FROM audit_log WHERE action = 'member.updated' AND entity_id = ?", id);
    expect(JSON.parse(audit[0]!.before)).toMatchObject({ role: 'agent', counter: '' });
    expect(JSON.parse(audit[0]!.after)).toMatchObject({ role: 'manager', counter: 'Guichet 9' });
  });

  it('deactivates on delete: the agent goes offline and their sessions end when they have no other tenant', async () => {
    const agent = d.demo.agents[2]!;
    const token = d.agentTokens[2]!;
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/queues/`, { token })).status).toBe(200);
    expect((await t.api('DELETE', `${base()}${agent.userId}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/queues/`, { token })).status).toBe(401);
    const member = await t.api('GET', `${base()}${agent.userId}/`, { token: d.adminToken });
    expect(member.body).toMatchObject({ is_active: false, agent_status: 'offline' });
    const inactive = await t.api('GET', `${base()}?is_active=false`, { token: d.adminToken });
    expect(inactive.body.results.map((m: { id: string }) => m.id)).toEqual([agent.userId]);

    // A member of two tenants keeps their sessions (they still work for the other tenant).
    const twoTenants = await t.login(other.adminEmail, ADMIN_PASSWORD);
    const otherAdminId = db().raw<{ id: string }>('SELECT id FROM user WHERE email = ?', other.adminEmail)[0]!.id;
    expect((await t.api('DELETE', `${base()}${otherAdminId}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `/api/v1/tenants/${other.slug}/members/`, { token: twoTenants })).status).toBe(200);
    expect((await t.api('GET', base(), { token: twoTenants })).status).toBe(403);
  });

  it('refuses agents (no read:agent / manage:agent scope)', async () => {
    const token = d.agentTokens[0]!;
    expect((await t.api('GET', base(), { token })).status).toBe(403);
    const create = await t.api('POST', base(), { token, body: { email: 'x2@demo-bank.com', password: 'long-enough', role: 'agent' } });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe('missing-scope');
  });

  it("keeps another tenant's members invisible", async () => {
    const foreignAgent = other.demo.agents[0]!.userId;
    expect((await t.api('GET', `${base()}${foreignAgent}/`, { token: d.adminToken })).status).toBe(404);
    expect((await t.api('PATCH', `${base()}${foreignAgent}/`, { token: d.adminToken, body: { counter: 'x' } })).status).toBe(404);
    expect((await t.api('DELETE', `${base()}${foreignAgent}/`, { token: d.adminToken })).status).toBe(404);
    const list = await t.api('GET', `${base()}?page_size=100`, { token: d.adminToken });
    expect(list.body.results.map((m: { id: string }) => m.id)).not.toContain(foreignAgent);
  });
});
