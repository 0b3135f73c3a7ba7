import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realtimeCloseCodes } from '../../../branch-server/contract/realtime.contract.ts';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { sha256 } from '../../../branch-server/http/secrets.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { insertDevice, insertDisplay } from './fixtures.ts';
import { WsProbe, wsUrl } from './ws-probe.ts';

const HEARTBEAT_SECONDS = 0.2;

describe('realtime heartbeat', () => {
  let t: TestServer;
  let d: DemoTenant;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const queueUrl = (token: string) => wsUrl(t.url, `/ws/tenants/${d.slug}/queues/${d.demo.queues[0]!.id}/`, { token });

  beforeAll(async () => {
    t = await startTestServer({ realtime: { heartbeatMs: HEARTBEAT_SECONDS * 1000 } });
    d = await seedDemoTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('terminates a client that stops answering pings, and keeps the ones that answer', async () => {
    const { probe: dead } = await WsProbe.connect(queueUrl(d.adminToken), { autoPong: false });
    const { probe: live } = await WsProbe.connect(queueUrl(d.adminToken));
    let pings = 0;
    live.ws.on('ping', () => (pings += 1));

    const closed = await Promise.race([dead.closed, sleep(HEARTBEAT_SECONDS * 1000 * 6).then(() => null)]);
    expect(closed?.code).toBe(1006);
    await sleep(HEARTBEAT_SECONDS * 1000 * 4);
    expect(live.ws.readyState).toBe(live.ws.OPEN);
    expect(pings).toBeGreaterThanOrEqual(3);
    await live.close();
  });

  it('closes a connection once its session is logged out', async () => {
    const token = await t.login(d.demo.agents[0]!.email, d.demo.agents[0]!.password);
    const { probe } = await WsProbe.connect(queueUrl(token));
    expect((await t.api('POST', '/api/v1/auth/logout/', { token })).status).toBe(204);
    expect(await probe.closed).toMatchObject({ code: realtimeCloseCodes.unauthorised });
  });

  it('closes a display once its device key is revoked, and a display channel whose display was deleted', async () => {
    const displayId = insertDisplay(t, d, []);
    const key = insertDevice(t, d, 'display', displayId);
    const { probe: tv } = await WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/displays/${displayId}/`, { device_key: key }));
    t.server.deps.db.run(qb.updateTable('device').set({ revoked_at: Date.now() }).where('key_hash', '=', sha256(key)));
    expect(await tv.closed).toMatchObject({ code: realtimeCloseCodes.unauthorised });

    const doomed = insertDisplay(t, d, []);
    const { probe: manager } = await WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/displays/${doomed}/`, { token: d.adminToken }));
    t.server.deps.db.run(qb.deleteFrom('display').where('id', '=', doomed));
    expect(await manager.closed).toMatchObject({ code: realtimeCloseCodes.gone });
  });

  it('closes a client that floods the server with messages', async () => {
    const { probe } = await WsProbe.connect(queueUrl(d.adminToken));
    for (let i = 0; i < 200; i += 1) probe.send({ type: 'ping' });
    expect(await probe.closed).toMatchObject({ code: realtimeCloseCodes.policyViolation });
  });
});
