import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinMatches } from '../../../main/kiosk-exit.ts';
import { RoleConfig } from '../../../main/role-config.ts';
import { completeSetup, SetupRefused } from '../../../main/setup.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/** The first-run setup against a real branch server: who may set up which role. */
describe('first-run setup', () => {
  let t: TestServer;
  let d: DemoTenant;
  let kioskId: string;
  let displayId: string;

  const newCode = async (body: Record<string, unknown>) => {
    const res = await t.api('POST', `/api/v1/tenants/${d.slug}/devices/`, { token: d.adminToken, body: { name: 'PC', ...body } });
    expect(res.status).toBe(201);
    return res.body.pairing_code as string;
  };

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    const queueIds = d.demo.queues.map((q) => q.id);
    kioskId = (await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'Entrance', queue_ids: queueIds } })).body.id;
    displayId = (await t.api('POST', `/api/v1/tenants/${d.slug}/displays/`, { token: d.adminToken, body: { name: 'Hall', type: 'main', queue_ids: queueIds } })).body.id;
  });
  afterAll(() => t.close());

  it('sets up a counter PC after an administrator signs in, storing the server and no credential', async () => {
    const result = await completeSetup({ role: 'agent', serverUrl: t.url.replace('http://', ''), admin: { email: d.adminEmail, password: ADMIN_PASSWORD } });
    const config = RoleConfig.parse(result.config);
    expect(config).toMatchObject({ role: 'agent', serverUrl: t.url });
    expect(JSON.stringify(result.config)).not.toContain(ADMIN_PASSWORD);
  });

  it('refuses an agent\'s or a wrong login: only an administrator sets up a PC', async () => {
    const agent = d.demo.agents[0]!;
    await expect(completeSetup({ role: 'agent', serverUrl: t.url, admin: { email: agent.email, password: agent.password } }))
      .rejects.toThrow(/Only an administrator/);
    await expect(completeSetup({ role: 'agent', serverUrl: t.url, admin: { email: d.adminEmail, password: 'wrong-password' } }))
      .rejects.toThrow(/Sign-in refused/);
  });

  it('pairs a kiosk with its code: the kiosk page gets its device key, the PIN is kept hashed', async () => {
    const code = await newCode({ type: 'kiosk', kiosk_id: kioskId });
    const result = await completeSetup({ role: 'kiosk', serverUrl: t.url, pairingCode: code, exitPin: '4821' });
    const config = RoleConfig.parse(result.config);
    if (config.role !== 'kiosk') throw new Error('expected a kiosk');
    expect(pinMatches('4821', config.exitPin)).toBe(true);
    expect(JSON.stringify(config)).not.toContain('4821');
    // The key works: the kiosk's own configuration answers to it.
    const asKiosk = await t.api('GET', `/api/v1/tenants/demo-bank/kiosks/${kioskId}/`, { device: config.deviceKey! });
    const asStranger = await t.api('GET', `/api/v1/tenants/demo-bank/kiosks/${kioskId}/`, { device: 'x'.repeat(43) });
    expect(asStranger.status).toBe(401);
    expect(asKiosk.status).toBe(200);
    // Single use: the same code does not set up a second kiosk.
    await expect(completeSetup({ role: 'kiosk', serverUrl: t.url, pairingCode: code, exitPin: '4821' })).rejects.toThrow(/Pairing refused/);
  });

  it('pairs a display to its configuration and the chosen monitor', async () => {
    const code = await newCode({ type: 'display', display_id: displayId });
    const result = await completeSetup({ role: 'display', serverUrl: t.url, pairingCode: code, exitPin: '1234', monitorId: 7 });
    expect(RoleConfig.parse(result.config)).toMatchObject({ role: 'display', displayId, monitorId: 7 });
  });

  it('refuses a display\'s code on a kiosk, saying what the code was for', async () => {
    const code = await newCode({ type: 'display', display_id: displayId });
    await expect(completeSetup({ role: 'kiosk', serverUrl: t.url, pairingCode: code, exitPin: '1234' })).rejects.toThrow(/pairs a display, not a kiosk/);
  });

  it('explains bad input and an unreachable server without storing anything', async () => {
    await expect(completeSetup({ role: 'kiosk', serverUrl: t.url, pairingCode: 'ABCD-EFGH', exitPin: '12' })).rejects.toThrow(/exitPin: the PIN must be 4 to 8 digits/);
    await expect(completeSetup({ role: 'printer' })).rejects.toThrow(SetupRefused);
    await expect(completeSetup({ role: 'agent', serverUrl: 'http://127.0.0.1:1', admin: { email: d.adminEmail, password: ADMIN_PASSWORD } }))
      .rejects.toThrow(/No branch server answers at http:\/\/127.0.0.1:1/);
  });

  it('asks nothing of a server for the server role: the HQ enrollment token or the new admin account protects it', async () => {
    const result = await completeSetup({ role: 'server', bootstrap: { kind: 'enroll', cloudUrl: 'https://hq.example.com', token: 'token-from-hq-123' } });
    expect(result.config).toEqual({ role: 'server', console: 'manager', port: 8080 });
    expect(result.bootstrap).toEqual({ kind: 'enroll', cloudUrl: 'https://hq.example.com', token: 'token-from-hq-123' });
  });
});
