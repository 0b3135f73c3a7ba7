import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { createCloudTenant } from '../../../sync/cloud/use-cases/tenants.ts';
import { HqClient, feedAfter, feedHeadOf } from '../../helpers/hq.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let globex: SeededCloudTenant;
let admin: HqClient;
let manager: HqClient;
let analyst: HqClient;
const A = '/api/v1/tenants/acme';

/** What a write did to the tenant's feed: the changes after the head read before it. */
async function changesOf<T>(write: () => Promise<T>): Promise<{ result: T; feed: Awaited<ReturnType<typeof feedAfter>> }> {
  const head = await feedHeadOf(cloud, acme.tenantId);
  const result = await write();
  return { result, feed: await feedAfter(cloud, acme.tenantId, head) };
}

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  globex = await seedCloudTenant(cloud, 'globex');
  admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
  for (const [email, role] of [['manager@acme.test', 'manager'], ['analyst@acme.test', 'analyst']] as const) {
    expect((await admin.post(`${A}/members/`, { email, password: 'member-password', role })).status).toBe(201);
  }
  manager = await HqClient.signIn(cloud.url, 'manager@acme.test', 'member-password');
  analyst = await HqClient.signIn(cloud.url, 'analyst@acme.test', 'member-password');
});
afterAll(async () => cloud?.stop());

describe('sites, services and queues', () => {
  it('creates, changes and reads them, each change in the feed as the row branches store', async () => {
    const site = await changesOf(() => admin.post(`${A}/sites/`, { name: 'Agence Thiès Centre', city: 'Thiès' }));
    expect(site.result.status).toBe(201);
    expect(site.result.body).toMatchObject({ slug: 'agence-thies-centre', timezone: 'Africa/Dakar', is_active: true });
    expect(site.feed).toEqual([expect.objectContaining({ entity: 'site', entity_id: site.result.body.id, op: 'upsert', data: expect.objectContaining({ tenant_id: acme.tenantId, city: 'Thiès', is_active: 1 }) })]);

    const service = await changesOf(() => manager.post(`${A}/queues/services/`, { name: 'Dépôt', code: 'DEP', sla_seconds: 600, priority_rules: { vip: 2 } }));
    expect(service.result.status).toBe(201);
    expect(service.result.body.priority_rules).toEqual({ vip: 2 });
    expect(service.feed).toEqual([expect.objectContaining({ entity: 'service', op: 'upsert', data: expect.objectContaining({ code: 'DEP', priority_rules: '{"vip":2}' }) })]);

    const queue = await changesOf(() => manager.post(`${A}/queues/`, { site: site.result.body.id, service: service.result.body.id, name: 'Dépôt', prefix: 'D' }));
    expect(queue.result.status).toBe(201);
    expect(queue.result.body).toMatchObject({ site_name: 'Agence Thiès Centre', service_name: 'Dépôt', status: 'open', waiting_count: 0 });
    expect(queue.feed).toEqual([expect.objectContaining({ entity: 'queue', data: expect.objectContaining({ prefix: 'D', site_id: site.result.body.id }) })]);

    const paused = await changesOf(() => manager.post(`${A}/queues/${queue.result.body.id}/set_status/`, { status: 'paused' }));
    expect(paused.result.body.status).toBe('paused');
    expect(paused.feed).toEqual([expect.objectContaining({ entity: 'queue', data: expect.objectContaining({ status: 'paused' }) })]);

    const renamed = await changesOf(() => admin.patch(`${A}/sites/${site.result.body.id}/`, { name: 'Agence Thiès' }));
    expect(renamed.result.body).toMatchObject({ name: 'Agence Thiès', slug: 'agence-thies-centre' });
    expect(renamed.feed).toHaveLength(1);

    const deactivated = await changesOf(() => manager.delete(`${A}/queues/services/${service.result.body.id}/`));
    expect(deactivated.result.status).toBe(204);
    expect(deactivated.feed).toEqual([expect.objectContaining({ entity: 'service', data: expect.objectContaining({ is_active: 0 }) })]);
    expect((await analyst.get(`${A}/queues/?site=${site.result.body.id}`)).body.results.map((q: { prefix: string }) => q.prefix)).toEqual(['D']);
  });

  it('refuses a queue prefix used in the site, a reference to another tenant\'s site, and a bad body, changing nothing', async () => {
    const svc = (await manager.post(`${A}/queues/services/`, { name: 'Retrait' })).body;
    expect((await manager.post(`${A}/queues/`, { site: acme.siteId, service: svc.id, name: 'Retrait', prefix: 'R' })).status).toBe(201);
    const head = await feedHeadOf(cloud, acme.tenantId);
    const dup = await manager.post(`${A}/queues/`, { site: acme.siteId, service: svc.id, name: 'Retrait 2', prefix: 'R' });
    expect(dup.status).toBe(400);
    expect(dup.body.error).toContain('prefix');
    const foreign = await manager.post(`${A}/queues/`, { site: globex.siteId, service: svc.id, name: 'X', prefix: 'X' });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({ code: 'invalid-reference', error: expect.stringContaining('site') });
    const bad = await manager.post(`${A}/queues/`, { site: acme.siteId, service: svc.id, name: '', prefix: 'lower' });
    expect(bad.status).toBe(400);
    expect(await feedHeadOf(cloud, acme.tenantId)).toBe(head);
  });

  it('deletes an unused site and queue (tombstones in the feed) but refuses once a branch may hold their rows', async () => {
    const site = (await admin.post(`${A}/sites/`, { name: 'Temporary' })).body;
    const svc = (await manager.post(`${A}/queues/services/`, { name: 'Temp' })).body;
    const queue = (await manager.post(`${A}/queues/`, { site: site.id, service: svc.id, name: 'Temp', prefix: 'T' })).body;
    expect((await admin.delete(`${A}/sites/${site.id}/`)).status).toBe(409);
    const gone = await changesOf(async () => [await manager.delete(`${A}/queues/${queue.id}/`), await admin.delete(`${A}/sites/${site.id}/`)]);
    expect(gone.result.map((r) => r.status)).toEqual([204, 204]);
    expect(gone.feed.map((c) => `${c.entity} ${c.op}`)).toEqual(['queue delete', 'site delete']);
    expect((await admin.get(`${A}/sites/${site.id}/`)).status).toBe(404);

    // The seeded site has an enrollment token: a branch may already have tickets there.
    await admin.post(`${A}/branches/enroll-tokens/`, { site: acme.siteId });
    const used = (await manager.post(`${A}/queues/`, { site: acme.siteId, service: svc.id, name: 'Used', prefix: 'U' })).body;
    expect((await admin.delete(`${A}/sites/${acme.siteId}/`)).status).toBe(409);
    expect((await manager.get(`${A}/queues/${used.id}/`)).status).toBe(200);
  });
});

describe('members', () => {
  it('creates an agent with an argon2id hash and skills; the user, membership and skills reach the feed', async () => {
    const queue = (await manager.get(`${A}/queues/?search=R`)).body.results[0];
    const created = await changesOf(() => manager.post(`${A}/members/`, {
      email: 'Awa.Diop@acme.test', password: 'agent-password', first_name: 'Awa', last_name: 'Diop', role: 'agent', queue_ids: [queue.id, queue.id],
    }));
    expect(created.result.status).toBe(201);
    expect(created.result.body).toMatchObject({ email: 'awa.diop@acme.test', role: 'agent', is_active: true, queue_ids: [queue.id] });
    expect(created.feed.map((c) => c.entity)).toEqual(['user', 'tenant_membership', 'agent_queues']);
    expect(created.feed[0]!.data.password_hash).toMatch(/^\$argon2id\$/);
    expect(created.feed[2]!.data).toEqual({ tenant_id: acme.tenantId, user_id: created.result.body.id, queue_ids: [queue.id] });
    // The agent can sign in at HQ, but has no HQ rights.
    const agent = await HqClient.signIn(cloud.url, 'awa.diop@acme.test', 'agent-password');
    expect((await agent.get(`${A}/sites/`)).status).toBe(403);

    const skills = await changesOf(() => manager.patch(`${A}/members/${created.result.body.id}/`, { queue_ids: [] }));
    expect(skills.result.body.queue_ids).toEqual([]);
    expect(skills.feed).toEqual([expect.objectContaining({ entity: 'agent_queues', data: expect.objectContaining({ queue_ids: [] }) })]);
  });

  it('keeps analysts off the branches: no feed change for one, and a tombstone when a member becomes one', async () => {
    const analystRow = await changesOf(() => admin.post(`${A}/members/`, { email: 'analyst2@acme.test', password: 'analyst-password', role: 'analyst' }));
    expect(analystRow.result.status).toBe(201);
    expect(analystRow.feed).toEqual([]);
    const agent = (await admin.post(`${A}/members/`, { email: 'agent9@acme.test', password: 'agent-password', role: 'agent' })).body;
    const demoted = await changesOf(() => admin.patch(`${A}/members/${agent.id}/`, { role: 'analyst' }));
    expect(demoted.feed.map((c) => `${c.entity} ${c.op}`)).toEqual(['tenant_membership delete']);
    const back = await changesOf(() => admin.patch(`${A}/members/${agent.id}/`, { role: 'agent' }));
    expect(back.feed.map((c) => `${c.entity} ${c.op}`)).toEqual(['user upsert', 'tenant_membership upsert']);
  });

  it('deactivates a member: the membership goes inactive at the branches and their HQ sessions end', async () => {
    await admin.post(`${A}/members/`, { email: 'leaving@acme.test', password: 'leaving-password', role: 'manager' });
    const leaving = await HqClient.signIn(cloud.url, 'leaving@acme.test', 'leaving-password');
    const id = (await leaving.get('/api/v1/auth/me/')).body.id;
    const gone = await changesOf(() => admin.delete(`${A}/members/${id}/`));
    expect(gone.result.status).toBe(204);
    expect(gone.feed).toEqual([expect.objectContaining({ entity: 'tenant_membership', data: expect.objectContaining({ is_active: 0 }) })]);
    expect((await leaving.get('/api/v1/auth/me/')).status).toBe(401);
    expect((await admin.get(`${A}/members/?is_active=false`)).body.results.map((m: { email: string }) => m.email)).toContain('leaving@acme.test');
  });

  it('refuses an e-mail already a member, and one belonging to another tenant\'s account', async () => {
    const again = await admin.post(`${A}/members/`, { email: 'manager@acme.test', password: 'another-password', role: 'agent' });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('email-taken');
    const foreign = await admin.post(`${A}/members/`, { email: globex.adminEmail, password: 'another-password', role: 'agent' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('email-taken');
    expect((await admin.get(`${A}/members/?search=globex`)).body.count).toBe(0);
  });

  it('renames a member here, but not one who also works for another tenant (that would change the other tenant\'s data)', async () => {
    const renamed = await changesOf(() => admin.patch(`${A}/members/${acme.adminUserId}/`, { first_name: 'Fatou' }));
    expect(renamed.result.body.first_name).toBe('Fatou');
    expect(renamed.feed).toEqual([expect.objectContaining({ entity: 'user', data: expect.objectContaining({ first_name: 'Fatou' }) })]);

    const managerId = (await manager.get('/api/v1/auth/me/')).body.id;
    await createCloudTenant(cloud.deps, { name: 'Acme Two', slug: 'acme-two', adminEmail: 'manager@acme.test', adminPassword: 'unused-password' });
    const refused = await admin.patch(`${A}/members/${managerId}/`, { last_name: 'Renamed' });
    expect(refused.status).toBe(409);
    expect((await admin.get(`${A}/members/${managerId}/`)).body.last_name).toBe('');
  });

  it('lets only an admin grant or change the admin role, and keeps the last active admin', async () => {
    const makeAdmin = await manager.post(`${A}/members/`, { email: 'boss@acme.test', password: 'boss-password', role: 'admin' });
    expect(makeAdmin.status).toBe(403);
    expect(makeAdmin.body.code).toBe('missing-scope');
    expect((await manager.patch(`${A}/members/${acme.adminUserId}/`, { role: 'manager' })).status).toBe(403);
    const last = await admin.patch(`${A}/members/${acme.adminUserId}/`, { role: 'manager' });
    expect(last.status).toBe(409);
    expect((await admin.get(`${A}/members/${acme.adminUserId}/`)).body.role).toBe('admin');
  });
});

describe('notification templates', () => {
  it('accepts the known variables and sends the template to the branches', async () => {
    const created = await changesOf(() => admin.post(`${A}/notifications/templates/`, {
      key: 'ticket_called', channel: 'sms', language: 'fr', body: 'Ticket {{ticket_number}} au {{ counter }} ({{site_name}}), suivi {{tracking_url}}',
    }));
    expect(created.result.status).toBe(201);
    expect(created.result.body.variables).toEqual(['ticket_number', 'counter', 'site_name', 'tracking_url']);
    expect(created.feed).toEqual([expect.objectContaining({ entity: 'notification_template', data: expect.objectContaining({ key: 'ticket_called', channel: 'sms' }) })]);
    const removed = await changesOf(() => admin.delete(`${A}/notifications/templates/${created.result.body.id}/`));
    expect(removed.feed.map((c) => `${c.entity} ${c.op}`)).toEqual(['notification_template delete']);
  });

  it('refuses unknown variables (named in the error), stray braces and an e-mail without subject, writing nothing', async () => {
    const head = await feedHeadOf(cloud, acme.tenantId);
    const unknown = await admin.post(`${A}/notifications/templates/`, { key: 'ticket_created', channel: 'sms', language: 'fr', body: 'Bonjour {{customer_name}}, ticket {{ticket_number}}' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('{{customer_name}}');
    expect(unknown.body.error).not.toContain('unknown variable(s) {{ticket_number}}');
    const stray = await admin.post(`${A}/notifications/templates/`, { key: 'ticket_created', channel: 'sms', language: 'fr', body: 'Ticket {{ticket_number}' });
    expect(stray.status).toBe(400);
    const email = await admin.post(`${A}/notifications/templates/`, { key: 'ticket_created', channel: 'email', language: 'fr', body: 'Ticket {{ticket_number}}' });
    expect(email.status).toBe(400);
    expect(email.body.error).toContain('subject');
    const ok = (await admin.post(`${A}/notifications/templates/`, { key: 'reminder', channel: 'sms', language: 'fr', body: 'RDV {{appointment_time}}' })).body;
    const badPatch = await admin.patch(`${A}/notifications/templates/${ok.id}/`, { body: 'RDV {{when}}' });
    expect(badPatch.status).toBe(400);
    expect((await admin.get(`${A}/notifications/templates/${ok.id}/`)).body.body).toBe('RDV {{appointment_time}}');
    expect(await feedHeadOf(cloud, acme.tenantId)).toBe(head + 1);
  });
});

describe('roles and tenancy', () => {
  it('lets an analyst read but not write, and a manager manage but not administer', async () => {
    expect((await analyst.get(`${A}/sites/`)).status).toBe(200);
    expect((await analyst.get(`${A}/members/`)).status).toBe(200);
    const head = await feedHeadOf(cloud, acme.tenantId);
    for (const res of [
      await analyst.post(`${A}/queues/services/`, { name: 'No' }),
      await analyst.post(`${A}/members/`, { email: 'x@acme.test', password: 'password-123', role: 'agent' }),
      await analyst.patch(`${A}/sites/${acme.siteId}/`, { name: 'No' }),
      await manager.post(`${A}/sites/`, { name: 'No' }),
      await manager.post(`${A}/notifications/templates/`, { key: 'x', channel: 'sms', language: 'fr', body: 'x' }),
      await manager.post(`${A}/branches/enroll-tokens/`, { site: acme.siteId }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('missing-scope');
    }
    expect(await feedHeadOf(cloud, acme.tenantId)).toBe(head);
  });

  it("answers 403 to a non-member and 404 for another tenant's ids", async () => {
    const outsider = await HqClient.signIn(cloud.url, globex.adminEmail, globex.adminPassword);
    const denied = await outsider.get(`${A}/sites/`);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('not-a-member');

    const globexAdmin = outsider;
    const gSvc = (await globexAdmin.post('/api/v1/tenants/globex/queues/services/', { name: 'G' })).body;
    const gQueue = (await globexAdmin.post('/api/v1/tenants/globex/queues/', { site: globex.siteId, service: gSvc.id, name: 'G', prefix: 'G' })).body;
    const head = await feedHeadOf(cloud, globex.tenantId);
    for (const [path, patch] of [
      [`/sites/${globex.siteId}/`, { name: 'hijacked' }], [`/queues/services/${gSvc.id}/`, { name: 'hijacked' }],
      [`/queues/${gQueue.id}/`, { name: 'hijacked' }], [`/members/${globex.adminUserId}/`, { first_name: 'hijacked' }],
    ] as const) {
      expect((await admin.get(`${A}${path}`)).status).toBe(404);
      expect((await admin.patch(`${A}${path}`, patch)).status).toBe(404);
    }
    expect((await admin.delete(`${A}/queues/${gQueue.id}/`)).status).toBe(404);
    expect((await admin.post(`${A}/queues/${gQueue.id}/set_status/`, { status: 'closed' })).status).toBe(404);
    expect(await feedHeadOf(cloud, globex.tenantId)).toBe(head);
    expect((await globexAdmin.get(`/api/v1/tenants/globex/queues/${gQueue.id}/`)).body).toMatchObject({ name: 'G', status: 'open' });
  });
});
