import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { openCloudDb, type CloudDb } from '../../../sync/cloud/db/database.ts';
import { startCloud, type RunningCloud } from '../../../sync/cloud/start.ts';
import { RELAY_PATH } from '../../../sync/protocol/relay.ts';
import { PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../../sync/protocol/version.ts';
import { enrollmentToken, RawDevice, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type TestServer } from '../../helpers/server.ts';
import { hq } from '../../helpers/sync.ts';

/**
 * A customer at home reaches the cloud, not the branch (behind NAT): the enrolled branch holds a
 * relay socket to the cloud, and the cloud passes the public page's requests down it. Real branch,
 * real cloud, real HTTP and ws on loopback; with a PostgreSQL server (DATABASE_URL), a second cloud
 * process on the same database serves the customer too.
 */
let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let serviceId: string;
let queueId: string;
let second: { db: CloudDb; cloud: RunningCloud } | null = null;
const AGENT = { email: 'agent@acme.test', password: 'agent-password-1' };

/** A branch of `tenant`, enrolled, holding its relay socket and answering nothing; `heard` is what the cloud sent it. */
async function holdRelaySocket(tenant: SeededCloudTenant): Promise<{ ws: WebSocket; heard: string[] }> {
  const device = new RawDevice(cloud.url);
  await device.enroll(await enrollmentToken(cloud, tenant.tenantId, tenant.siteId));
  await device.signIn();
  const heard: string[] = [];
  const ws = new WebSocket(`${cloud.url.replace('http', 'ws')}${RELAY_PATH}`, {
    headers: { authorization: `Bearer ${device.accessToken}`, [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) },
  });
  ws.on('message', (data) => heard.push(String(data)));
  await vi.waitFor(() => expect(heard).toEqual([JSON.stringify({ type: 'ready' })]));
  return { ws, heard };
}

beforeAll(async () => {
  cloud = await startTestCloud({ relay: { timeoutMs: 1500, probeMs: 500 } });
  acme = await seedCloudTenant(cloud, 'acme');
  serviceId = await hq.service(cloud, acme.tenantId, 'Accounts');
  queueId = await hq.queue(cloud, acme.tenantId, acme.siteId, serviceId, 'R');
  await hq.member(cloud, acme.tenantId, AGENT.email, AGENT.password, 'agent', [queueId]);
  // Two writes per address a minute at the branch: the customer's address must reach it intact.
  t = await startTestServer({ publicLimits: { read: { max: 1000, windowMs: 60_000 }, write: { max: 2, windowMs: 60_000 } } });
  await seedDemoTenant(t);
  await t.server.deps.sync.enroll(cloud.url, await enrollmentToken(cloud, acme.tenantId, acme.siteId));
  await vi.waitFor(async () => {
    await t.server.deps.sync.client.syncOnce().catch(() => undefined);
    expect(t.server.deps.db.raw('SELECT id FROM queue WHERE id = ?', queueId)).toHaveLength(1);
    expect(await cloud.relay.connected(acme.tenantId, acme.siteId)).toBe(true);
  }, { timeout: 20_000, interval: 200 });
  if (cloud.db.url) {
    const db = await openCloudDb({ databaseUrl: cloud.db.url, poolSize: 2 });
    second = { db, cloud: await startCloud({ cloud: db }) };
  }
}, 60_000);
afterAll(async () => {
  await t?.close();
  await second?.cloud.close();
  await second?.db.close();
  await cloud?.stop();
});

const call = async (base: string, method: string, path: string, body?: unknown, ip = '203.0.113.7') => {
  const res = await fetch(`${base}${path}`, {
    method, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
};
const publicSite = () => `/api/v1/public/sites/${acme.siteId}/`;

describe('the public page through the cloud', () => {
  it('joins through the cloud: a remote ticket at the branch, tracked through the cloud, checked in, then called', async () => {
    const site = await call(cloud.url, 'GET', publicSite());
    expect(site.status).toBe(200);
    expect(site.body.services).toEqual([expect.objectContaining({ id: serviceId, name: 'Accounts', waiting: 0, remote_open: true })]);
    // The page itself (200 when the UI is built): not the "branch offline" answer.
    expect((await call(cloud.url, 'GET', `/book/${acme.siteId}`)).body).not.toContain('cannot be reached');

    const joined = await call(cloud.url, 'POST', `${publicSite()}join/`, { service: serviceId, phone: '+221 77 900 00 01', name: 'Moussa' });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    expect(joined.body.tracking_url).toBe(`${cloud.url}/t/${joined.body.public_id}`);
    const atBranch = t.server.deps.db.raw<{ id: string; remote: number; status: string }>('SELECT id, remote, status FROM ticket WHERE public_id = ?', joined.body.public_id);
    expect(atBranch).toEqual([{ id: expect.any(String), remote: 1, status: 'en_attente' }]);

    // The branch keeps its own rules: the same phone again is refused, and its per-address budget
    // counts this customer's address (spent), not the cloud's (another customer still gets through).
    const again = await call(cloud.url, 'POST', `${publicSite()}join/`, { service: serviceId, phone: '+221779000001' });
    expect(again).toMatchObject({ status: 409, body: { code: 'conflict' } });
    expect((await call(cloud.url, 'POST', `${publicSite()}join/`, { service: serviceId, phone: '+221 77 900 00 02' })).status).toBe(429);
    const other = await call(cloud.url, 'POST', `${publicSite()}join/`, { service: serviceId, phone: '+221 77 900 00 03' }, '198.51.100.9');
    expect(other.status).toBe(201);

    const tracked = await call(second?.cloud.url ?? cloud.url, 'GET', `/api/v1/public/tickets/${joined.body.public_id}/`);
    expect(tracked).toMatchObject({ status: 200, body: { remote: true, position: 1, number: joined.body.number } });
    // Only the public routes cross: feedback, staff routes and unknown tickets do not.
    expect((await call(cloud.url, 'POST', `/api/v1/public/tickets/${joined.body.public_id}/feedback/`, { csat: 5 })).status).toBe(404);
    expect((await call(cloud.url, 'GET', '/api/v1/public/tickets/not-a-ticket-of-ours/')).status).toBe(404);

    const admin = await t.login(acme.adminEmail, acme.adminPassword);
    const checkIn = await t.api('POST', '/api/v1/tenants/acme/tickets/appointments/check_in/', { token: admin, body: { code: joined.body.check_in_code } });
    expect(checkIn.status, JSON.stringify(checkIn.body)).toBe(200);
    expect(checkIn.body).toMatchObject({ id: atBranch[0]!.id, remote: false });
    const agent = await t.login(AGENT.email, AGENT.password);
    const called = await t.api('POST', '/api/v1/tenants/acme/agents/call-next/', { token: agent, body: {} });
    expect(called.status, JSON.stringify(called.body)).toBe(200);
    expect(called.body).toMatchObject({ id: atBranch[0]!.id, status: 'appele' });
  });

  it.skipIf(!process.env['DATABASE_URL'])('serves a customer from the cloud process that does not hold the socket (LISTEN/NOTIFY)', async () => {
    const site = await call(second!.cloud.url, 'GET', publicSite(), undefined, '192.0.2.44');
    expect(site.status).toBe(200);
    const joined = await call(second!.cloud.url, 'POST', `${publicSite()}join/`, { service: serviceId, phone: '+221 77 900 00 04' }, '192.0.2.44');
    expect(joined.status).toBe(201);
    expect(joined.body.tracking_url).toBe(`${second!.cloud.url}/t/${joined.body.public_id}`);
    expect(t.server.deps.db.raw('SELECT remote FROM ticket WHERE public_id = ?', joined.body.public_id)).toEqual([{ remote: 1 }]);
  });

  it("takes the site's hours and the service's booking rule from HQ through the feed, and refuses to change them at the branch", async () => {
    const login = await call(cloud.url, 'POST', '/api/v1/auth/', { email: acme.adminEmail, password: acme.adminPassword });
    const hqApi = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${cloud.url}/api/v1/tenants/acme${path}`, {
        method, headers: { 'content-type': 'application/json', authorization: `Bearer ${login.body.token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    };
    const weekly = [{ open: '09:00', close: '10:00' }, null, null, null, null, null, null];
    const bad = await hqApi('PUT', `/sites/${acme.siteId}/opening-hours/`, { weekly: weekly.slice(0, 6) });
    expect(bad.status).toBe(400);
    const hours = await hqApi('PUT', `/sites/${acme.siteId}/opening-hours/`, { weekly, closed_dates: ['2031-01-13'] });
    expect(hours).toEqual({ status: 200, body: { site: acme.siteId, weekly, closed_dates: ['2031-01-13'] } });
    const rule = await hqApi('PUT', `/queues/services/${serviceId}/booking/`, { slot_minutes: 30, remote_enabled: false });
    expect(rule.status).toBe(200);
    expect(rule.body).toMatchObject({ service: serviceId, slot_minutes: 30, remote_enabled: false, buffer_minutes: 0, end_of_day: 'expire' });
    expect(await hqApi('GET', `/queues/services/${serviceId}/booking/`)).toEqual(rule);

    await t.server.deps.sync.client.syncOnce();
    const admin = await t.login(acme.adminEmail, acme.adminPassword);
    const atBranch = (path: string) => t.api('GET', `/api/v1/tenants/acme${path}`, { token: admin });
    expect((await atBranch(`/sites/${acme.siteId}/opening-hours/`)).body).toEqual(hours.body);
    expect((await atBranch(`/queues/services/${serviceId}/booking/`)).body).toEqual(rule.body);
    // The branch books by them: two 30-minute slots on a Monday, none on the closed Monday or a Tuesday.
    const slots = async (date: string) => (await atBranch(`/tickets/appointments/slots/?service=${serviceId}&date=${date}`)).body.map((x: { starts_at: string }) => x.starts_at);
    expect(await slots('2031-01-06')).toEqual(['2031-01-06T09:00:00.000Z', '2031-01-06T09:30:00.000Z']);
    expect(await slots('2031-01-13')).toEqual([]);
    expect(await slots('2031-01-07')).toEqual([]);
    // And the public page through the cloud says so.
    const site = await call(cloud.url, 'GET', publicSite(), undefined, '192.0.2.50');
    expect(site.body.services.find((x: { id: string }) => x.id === serviceId)).toMatchObject({ remote_open: false });

    for (const [path, body] of [[`/sites/${acme.siteId}/opening-hours/`, { weekly: Array.from({ length: 7 }, () => null) }], [`/queues/services/${serviceId}/booking/`, { slot_minutes: 15 }]] as const) {
      const refused = await t.api('PUT', `/api/v1/tenants/acme${path}`, { token: admin, body });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatch(/managed by HQ/);
    }
    expect((await atBranch(`/queues/services/${serviceId}/booking/`)).body.slot_minutes).toBe(30);
  });

  it("never lets another tenant's branch answer for this site; a silent branch times out (504), a gone one is offline (503)", async () => {
    // No credential, no socket.
    const anonymous = new WebSocket(`${cloud.url.replace('http', 'ws')}${RELAY_PATH}`);
    expect(await new Promise((resolve) => anonymous.on('unexpected-response', (_req, res) => resolve(res.statusCode)))).toBe(401);

    // Another tenant's enrolled branch holds a socket and never answers anything.
    const other = await seedCloudTenant(cloud, 'globex');
    const { ws: intruder, heard } = await holdRelaySocket(other);
    const silent = await call(cloud.url, 'GET', `/api/v1/public/sites/${other.siteId}/`);
    expect(silent).toMatchObject({ status: 504, body: { code: 'branch-timeout' } });

    // Our branch goes away: its customers get "offline", and the other socket never hears of them.
    t.server.deps.sync.stop();
    await vi.waitFor(async () => expect(await cloud.relay.connected(acme.tenantId, acme.siteId)).toBe(false));
    const offline = await call(cloud.url, 'POST', `${publicSite()}join/`, { service: serviceId, phone: '+221 77 900 00 05' }, '192.0.2.45');
    expect(offline).toMatchObject({ status: 503, body: { code: 'branch-offline' } });
    const page = await call(cloud.url, 'GET', `/book/${acme.siteId}`);
    expect(page.status).toBe(503);
    expect(page.body).toContain('cannot be reached');
    expect(heard.filter((m) => m.includes(acme.siteId) || m.includes('900 00 05'))).toEqual([]);
    expect(heard).toHaveLength(2); // ready, and the one request for its own site
    intruder.close();
  });

  it('closes the socket of a branch whose link died unnoticed by TCP: after one 504, its customers hear "offline" at once', async () => {
    const other = await seedCloudTenant(cloud, 'initech');
    const { ws: branch } = await holdRelaySocket(other);
    expect(await cloud.relay.connected(other.tenantId, other.siteId)).toBe(true);

    // The link dies: nothing reaches the branch any more (no request, no ping), and no FIN or RST reaches the cloud.
    (branch as unknown as { _socket: { pause(): void } })._socket.pause();
    const first = await call(cloud.url, 'GET', `/api/v1/public/sites/${other.siteId}/`);
    expect(first).toMatchObject({ status: 504, body: { code: 'branch-timeout' } });
    // The cloud pings after the timeout; no pong within probeMs ends the socket (the heartbeat would take 40 s).
    await vi.waitFor(async () => expect(await cloud.relay.connected(other.tenantId, other.siteId)).toBe(false), { timeout: 5_000 });
    const started = Date.now();
    const next = await call(cloud.url, 'GET', `/api/v1/public/sites/${other.siteId}/`);
    expect(next).toMatchObject({ status: 503, body: { code: 'branch-offline' } });
    expect(Date.now() - started).toBeLessThan(1_000);
    branch.terminate();
  });
});
