import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebUpdater } from 'electron-updater/out/DebUpdater.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { probeAgentDesk } from '../../../main/quiet-probe.ts';
import { UpdateController } from '../../../main/update-controller.ts';
import { decideInstall } from '../../../main/update-policy.ts';
import { fakeApp, NodeHttpExecutor, publishRelease } from '../../helpers/electron-updater.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/**
 * The real electron-updater (generic provider) downloads a release from the branch server's LAN
 * mirror (/updates/), and the controller installs it only when the branch server says no ticket is
 * held at this desk.
 */
describe('updates at a quiet moment', () => {
  let t: TestServer;
  let d: DemoTenant;
  let scratch: string;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    scratch = mkdtempSync(join(tmpdir(), 'sq-updater-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  function updaterFor(name: string, version = '0.1.0') {
    const feed = `${t.url}/updates/`;
    const updater = new DebUpdater(null, fakeApp(join(scratch, name), version, feed));
    // electron-updater's only use of Electron besides the app: `net`, replaced by node:http.
    (updater as unknown as { httpExecutor: NodeHttpExecutor }).httpExecutor = new NodeHttpExecutor();
    updater.logger = null;
    updater.setFeedURL({ provider: 'generic', url: feed });
    return updater;
  }

  function controllerFor(updater: DebUpdater, probe: () => ReturnType<typeof probeAgentDesk>) {
    const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
    const installs: string[] = [];
    const logs: string[] = [];
    const controller = new UpdateController({
      updater, role: 'agent', probe, log: (l) => logs.push(l),
      install: () => installs.push(controller.pendingVersion ?? '?'),
      setTimer: (fn, ms) => {
        const timer = { fn, ms, cancelled: false };
        timers.push(timer);
        return { cancel: () => { timer.cancelled = true; } };
      },
    });
    /** Fires the scheduled "ask again" and waits for the new decision. */
    const fireRetry = async () => {
      const retry = timers.find((x) => !x.cancelled && x.ms === 60_000);
      if (!retry) throw new Error('no retry scheduled');
      const before = controller.lastDecision;
      retry.cancelled = true;
      retry.fn();
      await vi.waitFor(() => expect(controller.lastDecision).not.toBe(before));
      return controller.lastDecision;
    };
    return { controller, installs, logs, fireRetry };
  }

  const agentApi = (i: number) => (method: string, path: string, body?: unknown) =>
    t.api(method, `/api/v1/tenants/${d.slug}${path}`, { token: d.agentTokens[i]!, ...(body === undefined ? {} : { body }) });

  it('downloads from the LAN mirror, waits while the agent at this PC holds a ticket, installs once it is closed', async () => {
    publishRelease(join(t.dataDir, 'updates'), '0.2.0');
    const agent = agentApi(1);
    const queue = d.demo.queues.find((q) => q.prefix === 'B')!;
    const issued = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: queue.id, channel: 'kiosk' } });
    expect(issued.status).toBe(201);
    const called = await agent('POST', '/agents/call-next/', { queue_id: queue.id });
    expect(called.status).toBe(200);
    const ticket = called.body;

    const session = { tenant: d.slug, token: d.agentTokens[1]! };
    const { controller, installs, fireRetry } = controllerFor(updaterFor('desk'), () => probeAgentDesk(t.url, session));
    controller.start();
    await vi.waitFor(() => expect(controller.lastDecision).not.toBeNull(), { timeout: 20_000 });
    expect(controller.pendingVersion).toBe('0.2.0');
    expect(controller.lastDecision).toEqual({ install: false, reason: `this PC is serving ${ticket.number}` });
    expect(installs).toEqual([]);

    // Serving, then on hold with the customer still at the counter: still not a quiet moment.
    expect((await agent('POST', `/tickets/${ticket.id}/start_service/`)).status).toBe(200);
    expect(await fireRetry()).toEqual({ install: false, reason: `this PC is serving ${ticket.number}` });
    expect((await agent('POST', `/tickets/${ticket.id}/pause/`, { reason: 'documents' })).status).toBe(200);
    expect(await fireRetry()).toEqual({ install: false, reason: `this PC is serving ${ticket.number}` });
    expect(installs).toEqual([]);

    expect((await agent('POST', `/tickets/${ticket.id}/resume/`)).status).toBe(200);
    expect((await agent('POST', `/tickets/${ticket.id}/close/`)).status).toBe(200);
    expect(await fireRetry()).toEqual({ install: true, reason: 'no ticket in service' });
    expect(installs).toEqual(['0.2.0']);
  });

  it('is not held up by another counter\'s customer', async () => {
    const other = agentApi(0);
    const queue = d.demo.queues.find((q) => q.prefix === 'A')!;
    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: queue.id, channel: 'kiosk' } });
    expect((await other('POST', '/agents/call-next/', { queue_id: queue.id })).status).toBe(200);
    const activity = await probeAgentDesk(t.url, { tenant: d.slug, token: d.agentTokens[2]! });
    expect(activity).toEqual({ state: 'quiet' });
    expect((await probeAgentDesk(t.url, { tenant: d.slug, token: d.agentTokens[0]! })).state).toBe('busy');
  });

  it('defers when the branch server cannot be asked or refuses the session, installs when nobody is signed in', async () => {
    const unreachable = await probeAgentDesk('http://127.0.0.1:1', { tenant: d.slug, token: d.agentTokens[1]! });
    expect(unreachable.state).toBe('unknown');
    expect(decideInstall('agent', unreachable).install).toBe(false);
    const revoked = await probeAgentDesk(t.url, { tenant: d.slug, token: 'not-a-valid-token' });
    expect(revoked).toEqual({ state: 'unknown', reason: 'branch server answered 401' });
    expect(await probeAgentDesk(t.url, null)).toEqual({ state: 'quiet' });
  });

  it('never installs a download whose checksum does not match the feed', async () => {
    const dir = join(t.dataDir, 'updates');
    publishRelease(dir, '0.3.0', { corruptHash: true });
    const { controller, installs, logs } = controllerFor(updaterFor('corrupt'), async () => ({ state: 'quiet' }));
    controller.start();
    await vi.waitFor(() => expect(logs.some((l) => /update check failed: .*sha512 checksum mismatch/.test(l))).toBe(true), { timeout: 20_000 });
    expect(controller.pendingVersion).toBeNull();
    expect(installs).toEqual([]);
  });

  it('finds nothing to do when the mirror holds the running version', async () => {
    publishRelease(join(t.dataDir, 'updates'), '0.4.0');
    const updater = updaterFor('current', '0.4.0');
    const result = await updater.checkForUpdates();
    expect(result?.isUpdateAvailable).toBe(false);
  });
});
