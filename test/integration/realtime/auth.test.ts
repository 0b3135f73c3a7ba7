import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { sha256 } from '../../../branch-server/http/secrets.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { insertDevice, insertDisplay } from './fixtures.ts';
import { refusal, WsProbe, wsUrl } from './ws-probe.ts';

describe('realtime authorisation', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  let displayId: string;
  let otherDisplayId: string;
  let displayKey: string;

  const queuePath = (tenant: DemoTenant, queueId = tenant.demo.queues[0]!.id) => `/ws/tenants/${tenant.slug}/queues/${queueId}/`;
  const url = (path: string, query: Record<string, string> = {}) => wsUrl(t.url, path, query);

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t, 'bank-one');
    other = await seedDemoTenant(t, 'bank-two');
    displayId = insertDisplay(t, d, []);
    otherDisplayId = insertDisplay(t, d, [], 'Second TV');
    displayKey = insertDevice(t, d, 'display', displayId);
  });
  afterAll(() => t.close());

  it('refuses a tenant channel without credentials with 401 before the upgrade', async () => {
    const res = await refusal(url(queuePath(d)));
    expect(res).toEqual({ status: 401, body: { detail: 'Authentication credentials were not provided.', code: 'not-authenticated' } });
  });

  it('refuses a bad or unknown token or device key with 401', async () => {
    expect((await refusal(url(queuePath(d), { token: 'not-a-jwt' }))).body.code).toBe('token-invalid');
    expect((await refusal(url(queuePath(d), { token: 'not-a-jwt' }))).status).toBe(401);
    expect((await refusal(url(queuePath(d), { device_key: 'dk_unknown' }))).status).toBe(401);
  });

  it('refuses a member of another tenant with 403', async () => {
    const res = await refusal(url(queuePath(d), { token: other.adminToken }));
    expect(res).toMatchObject({ status: 403, body: { code: 'not-a-member' } });
    expect((await refusal(url(`/ws/tenants/${d.slug}/displays/${displayId}/`, { token: other.adminToken }))).status).toBe(403);
  });

  it('answers 404 for a queue of another tenant named under ones own tenant, and for unknown ids', async () => {
    expect((await refusal(url(queuePath(d, other.demo.queues[0]!.id), { token: d.adminToken }))).status).toBe(404);
    expect((await refusal(url(`/ws/tenants/${d.slug}/displays/${crypto.randomUUID()}/`, { token: d.adminToken }))).status).toBe(404);
    expect((await refusal(url(`/ws/tenants/${d.slug}/agents/${other.demo.agents[0]!.userId}/`, { token: d.adminToken }))).status).toBe(404);
    expect((await refusal(url(`/ws/tenants/${d.slug}/queues/not-a-uuid/`, { token: d.adminToken }))).status).toBe(404);
  });

  it('answers 404 for unknown paths and unknown public tickets', async () => {
    expect(await refusal(url('/ws/nowhere/'))).toEqual({ status: 404, body: { detail: 'Not found.', code: 'not-found' } });
    expect((await refusal(url('/api/v1/health/'))).status).toBe(404);
    expect((await refusal(url('/ws/public/tickets/AAAAAAAAAAAAAAAAAAAAAA/'))).status).toBe(404);
  });

  it('lets a display device open only its own display channel', async () => {
    const own = await WsProbe.connect(url(`/ws/tenants/${d.slug}/displays/${displayId}`, { device_key: displayKey }));
    expect(own.snapshot.type).toBe('connection');
    await own.probe.close();
    const res = await refusal(url(`/ws/tenants/${d.slug}/displays/${otherDisplayId}/`, { device_key: displayKey }));
    expect(res).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });

  it('refuses a kiosk on a display channel and any device on another tenant or on an agent channel', async () => {
    const kioskKey = insertDevice(t, d, 'kiosk');
    expect((await refusal(url(`/ws/tenants/${d.slug}/displays/${displayId}/`, { device_key: kioskKey }))).status).toBe(403);
    expect((await refusal(url(queuePath(other), { device_key: displayKey }))).status).toBe(403);
    expect((await refusal(url(`/ws/tenants/${d.slug}/agents/${d.demo.agents[0]!.userId}/`, { device_key: displayKey }))).status).toBe(403);
    const printAgentKey = insertDevice(t, d, 'print_agent');
    expect((await refusal(url(`/ws/tenants/${d.slug}/displays/${displayId}/`, { device_key: printAgentKey }))).status).toBe(403);
  });

  it('lets agents follow only themselves, and managers any agent', async () => {
    const agentOne = d.demo.agents[0]!.userId;
    const res = await refusal(url(`/ws/tenants/${d.slug}/agents/${agentOne}/`, { token: d.agentTokens[1]! }));
    expect(res).toMatchObject({ status: 403, body: { code: 'missing-scope' } });
    const self = await WsProbe.connect(url(`/ws/tenants/${d.slug}/agents/${agentOne}/`, { token: d.agentTokens[0]! }));
    const admin = await WsProbe.connect(url(`/ws/tenants/${d.slug}/agents/${agentOne}/`, { token: d.adminToken }));
    expect(self.snapshot.agent_id).toBe(agentOne);
    expect(admin.snapshot.agent_id).toBe(agentOne);
    await Promise.all([self.probe.close(), admin.probe.close()]);
  });

  it('refuses a revoked device key with 401', async () => {
    const key = insertDevice(t, d, 'display', displayId);
    t.server.deps.db.run(qb.updateTable('device').set({ revoked_at: Date.now() }).where('key_hash', '=', sha256(key)));
    const res = await refusal(url(`/ws/tenants/${d.slug}/displays/${displayId}/`, { device_key: key }));
    expect(res).toMatchObject({ status: 401, body: { code: 'device-revoked' } });
  });

  it('accepts the token in an Authorization header too (non-browser clients)', async () => {
    const { probe, snapshot } = await WsProbe.connect(url(queuePath(d)), { headers: { authorization: `Bearer ${d.adminToken}` } });
    expect(snapshot.event).toBe('queue.snapshot');
    await probe.close();
  });
});
