import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient, feedAfter, feedHeadOf, seedSuperAdmin } from '../../helpers/hq.ts';

let cloud: TestCloud;
let root: HqClient;
let acme: SeededCloudTenant;

beforeAll(async () => {
  cloud = await startTestCloud();
  const su = await seedSuperAdmin(cloud);
  root = await HqClient.signIn(cloud.url, su.email, su.password);
  acme = await seedCloudTenant(cloud, 'acme');
});
afterAll(async () => cloud?.stop());

describe('tenants (super-admin)', () => {
  it('creates a tenant with demo data whose admin signs in, and every demo row is in the new tenant\'s feed', async () => {
    const res = await root.post('/api/v1/tenants/', {
      name: 'Banque Atlantique', slug: 'banque-atlantique', admin_email: 'Admin@Atlantique.test', admin_password: 'atlantique-123', with_demo_data: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug: 'banque-atlantique', name: 'Banque Atlantique', is_active: true, timezone: 'Africa/Dakar', plan: 'standard' });

    const admin = await HqClient.signIn(cloud.url, 'admin@atlantique.test', 'atlantique-123');
    const sites = await admin.get('/api/v1/tenants/banque-atlantique/sites/');
    expect(sites.body.results.map((s: { name: string }) => s.name)).toEqual(['Dakar Plateau']);
    const queues = await admin.get('/api/v1/tenants/banque-atlantique/queues/');
    expect(queues.body.results.map((q: { prefix: string; service_name: string }) => `${q.prefix} ${q.service_name}`))
      .toEqual(['A Ouverture de compte', 'B Retrait', 'C Conseil']);

    const feed = await feedAfter(cloud, res.body.id);
    const counts = feed.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.entity]: (acc[c.entity] ?? 0) + 1 }), {});
    expect(counts).toEqual({ tenant: 1, user: 1, tenant_membership: 1, site: 1, service: 3, queue: 3, notification_template: 2 });
    expect(feed.map((c) => c.seq)).toEqual(feed.map((_, i) => i + 1));
  });

  it('lists every tenant, filtered by search', async () => {
    const all = await root.get('/api/v1/tenants/?page_size=100');
    expect(all.status).toBe(200);
    expect(all.body.results.map((t: { slug: string }) => t.slug)).toEqual(expect.arrayContaining(['acme', 'banque-atlantique', 'platform']));
    const some = await root.get('/api/v1/tenants/?search=atlan');
    expect(some.body.results.map((t: { slug: string }) => t.slug)).toEqual(['banque-atlantique']);
  });

  it('refuses a taken slug and a bad body with 400, creating nothing', async () => {
    const before = (await root.get('/api/v1/tenants/')).body.count;
    const taken = await root.post('/api/v1/tenants/', { name: 'Again', slug: 'acme', admin_email: 'x@again.test', admin_password: 'again-password' });
    expect(taken.status).toBe(400);
    expect(taken.body.code).toBe('slug-taken');
    const bad = await root.post('/api/v1/tenants/', { name: 'Bad', slug: 'Not A Slug', admin_email: 'x@bad.test', admin_password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['slug', 'admin_password']));
    expect((await root.get('/api/v1/tenants/')).body.count).toBe(before);
    expect(await cloud.deps.cloud.db.selectFrom('app_user').select('id').where('email', '=', 'x@again.test').executeTakeFirst()).toBeUndefined();
  });

  it('is for super-admins only: a tenant admin gets 403 and changes nothing', async () => {
    const admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    expect((await admin.get('/api/v1/tenants/')).status).toBe(403);
    const create = await admin.post('/api/v1/tenants/', { name: 'Mine', slug: 'mine', admin_email: 'me@mine.test', admin_password: 'mine-password' });
    expect(create.status).toBe(403);
    const patch = await admin.patch('/api/v1/tenants/acme/', { plan: 'enterprise' });
    expect(patch.status).toBe(403);
    expect((await admin.get('/api/v1/tenants/acme/')).body.plan).toBe('standard');
  });

  it("suspends a tenant: its members and its branches are refused, the change reaches the tenant's feed, and it can be resumed", async () => {
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await device.signIn();
    const admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    const head = await feedHeadOf(cloud, acme.tenantId);

    const suspended = await root.patch('/api/v1/tenants/acme/', { is_active: false, plan: 'enterprise' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ is_active: false, plan: 'enterprise' });
    const feed = await feedAfter(cloud, acme.tenantId, head);
    expect(feed).toEqual([expect.objectContaining({ entity: 'tenant', entity_id: acme.tenantId, op: 'upsert', data: expect.objectContaining({ is_active: 0, plan: 'enterprise' }) })]);

    expect((await admin.get('/api/v1/tenants/acme/sites/')).status).toBe(403);
    expect((await device.call('GET', '/sync/v1/pull?cursor=0')).status).toBe(403);
    expect((await admin.get('/api/v1/auth/me/')).body.memberships).toEqual([]);

    expect((await root.patch('/api/v1/tenants/acme/', { is_active: true })).status).toBe(200);
    expect((await admin.get('/api/v1/tenants/acme/sites/')).status).toBe(200);
    expect((await device.call('GET', '/sync/v1/pull?cursor=0')).status).toBe(200);
  });

  it('answers 404 for an unknown tenant and 400 for a bad patch', async () => {
    expect((await root.patch('/api/v1/tenants/no-such-tenant/', { plan: 'x' })).status).toBe(404);
    const bad = await root.patch('/api/v1/tenants/acme/', { data_retention_days: 0, unknown: 1 });
    expect(bad.status).toBe(400);
  });
});
