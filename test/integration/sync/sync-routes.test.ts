import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { hq } from '../../helpers/sync.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let demo: DemoTenant;
let other: DemoTenant;
let queueId: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  queueId = await hq.queue(cloud, acme.tenantId, acme.siteId, await hq.service(cloud, acme.tenantId, 'Accounts'), 'A');
  // A long interval: anything that syncs quickly below was woken by the write itself.
  t = await startTestServer({ sync: { loop: { intervalMs: 10 * 60_000, nudgeDelayMs: 20 } } });
  demo = await seedDemoTenant(t);
  other = await seedDemoTenant(t, 'other-bank');
});
afterAll(async () => {
  await t?.close();
  await cloud?.stop();
});

const status = (token?: string) => t.api('GET', '/api/v1/sync/status/', token ? { token } : {});
const enroll = (token: string, body: unknown) => t.api('POST', '/api/v1/sync/enroll/', { token, body });

async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sync status and enrollment routes', () => {
  it('shows a not-enrolled branch to its admins and managers only', async () => {
    const res = await status(demo.adminToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'not_enrolled', cloud_url: null, tenant: null, last_push_at: null, rejected_count: 0 });
    expect(res.body.outbox_depth).toBeGreaterThan(0);
    expect((await status()).status).toBe(401);
    expect((await status(demo.agentTokens[0]!)).body).toMatchObject({ code: 'missing-scope' });
    expect((await status(demo.agentTokens[0]!)).status).toBe(403);
    // The admin of the branch's second tenant is not the one sync speaks for.
    expect((await status(other.adminToken)).status).toBe(403);
  });

  it('refuses enrollment by a manager, by another tenant\'s admin, and with a bad token or URL, changing nothing', async () => {
    const manager = await t.api('POST', `/api/v1/tenants/${demo.slug}/members/`, {
      token: demo.adminToken, body: { email: 'mgr@demo-bank.com', password: 'manager-pass-1', role: 'manager', first_name: 'M', last_name: 'G' },
    });
    expect(manager.status).toBe(201);
    const managerToken = await t.login('mgr@demo-bank.com', 'manager-pass-1');
    const good = await enrollmentToken(cloud, acme.tenantId, acme.siteId);
    expect((await enroll(managerToken, { cloud_url: cloud.url, token: good })).status).toBe(403);
    expect((await enroll(other.adminToken, { cloud_url: cloud.url, token: good })).status).toBe(403);
    expect((await enroll(demo.adminToken, { cloud_url: 'ftp://x', token: good })).body).toMatchObject({ code: 'validation-failed' });
    const bad = await enroll(demo.adminToken, { cloud_url: cloud.url, token: 'not-a-real-token-1234' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('enrollment-token-invalid');
    const unreachable = await enroll(demo.adminToken, { cloud_url: 'http://127.0.0.1:9', token: good });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.error).toMatch(/Cannot reach the cloud/);
    expect(t.server.deps.db.sqlite.prepare('SELECT slug FROM tenant ORDER BY created_at, id').pluck().all()).toEqual(['demo-bank', 'other-bank']);
    expect((await status(demo.adminToken)).body.state).toBe('not_enrolled');
  });

  it('enrolls from the console, then syncs on its own: a ticket issued at the branch reaches HQ within 5 s', async () => {
    const res = await enroll(demo.adminToken, { cloud_url: `${cloud.url}/`, token: await enrollmentToken(cloud, acme.tenantId, acme.siteId) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ cloud_url: cloud.url, tenant: { id: acme.tenantId, slug: 'acme' }, site: { id: acme.siteId } });

    // The first sync brings HQ's staff; the local demo admin steps down and HQ's admin signs in here.
    const hqToken = await eventually(() => t.api('POST', '/api/v1/auth/', { body: { email: acme.adminEmail, password: acme.adminPassword } }), (r) => r.status === 200);
    const token = hqToken.body.token as string;
    const online = await eventually(() => status(token), (r) => r.body.state === 'online' && r.body.outbox_depth === 0);
    expect(online.body).toMatchObject({ state: 'online', outbox_depth: 0, pull_lag: 0, last_error: null });
    expect(Date.parse(online.body.last_push_at)).toBeGreaterThan(0);
    expect(typeof online.body.clock_offset_ms).toBe('number');

    const issued = Date.now();
    const ticket = await t.api('POST', '/api/v1/tenants/acme/tickets/', { token, body: { queue: queueId } });
    expect(ticket.status).toBe(201);
    const arrived = await eventually(
      () => cloud.db.db.selectFrom('ticket').select('number').where('id', '=', ticket.body.id).executeTakeFirst(),
      (row) => row !== undefined, 5_000,
    );
    expect(arrived).toEqual({ number: ticket.body.number });
    expect(Date.now() - issued).toBeLessThan(5_000);

    // Reference data is HQ's now: changing it here is refused (the feed would overwrite it); the
    // branch's other, unsynced tenant keeps its own settings.
    const service = await t.api('POST', '/api/v1/tenants/acme/queues/services/', { token, body: { name: 'Local idea' } });
    expect(service.status).toBe(409);
    expect(service.body.error).toMatch(/managed by HQ/);
    const rename = await t.api('PATCH', `/api/v1/tenants/acme/queues/${queueId}/`, { token, body: { name: 'Renamed here' } });
    expect(rename.status).toBe(409);
    expect(t.server.deps.db.sqlite.prepare('SELECT name FROM queue WHERE id = ?').pluck().get(queueId)).toBe('Queue A');
    expect((await t.api('POST', '/api/v1/tenants/other-bank/queues/services/', { token: other.adminToken, body: { name: 'Still local' } })).status).toBe(201);

    // Now the branch speaks for acme: the other local tenant's admin is not one of its members.
    expect((await status(other.adminToken)).status).toBe(403);
    const again = await enroll(token, { cloud_url: cloud.url, token: await enrollmentToken(cloud, acme.tenantId, acme.siteId) });
    expect(again.status).toBe(409);
  });
});
