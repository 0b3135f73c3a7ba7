import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_FATAL, FromServer, type ToServer } from '../../../main/branch-server-protocol.ts';
import { discoverBranchServers } from '../../../main/discovery.ts';
import { checkServer } from '../../../main/setup.ts';
import { Supervisor, type ChildHandle } from '../../../main/supervisor.ts';
import { buildMain } from '../../../scripts/build-main.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant } from '../../helpers/server.ts';

/**
 * The branch server as the shell runs it: the built `dist/main/branch-server.js`, forked and kept
 * alive by the Supervisor. Under Electron it is a utilityProcess; here a Node child with an IPC
 * channel stands in (the entry speaks to either), running the same bundle.
 */
describe('supervised branch server process', () => {
  let outdir: string;
  let dataDir: string;
  let demo: DemoTenant['demo'];
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    outdir = mkdtempSync(join(import.meta.dirname, '.server-build-'));
    await buildMain({ outdir, only: ['branch-server', 'print-agent'] });
    dataDir = mkdtempSync(join(tmpdir(), 'sq-shell-server-'));
    // A branch that already has its tenant (as after enrollment): seeded in-process, then closed.
    const seeded = await startTestServer({ dataDir });
    demo = (await seedDemoTenant(seeded)).demo;
    await seeded.close();
  });
  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(outdir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  function spawnServer(env: Record<string, string>): { handle: ChildHandle; process: ChildProcess } {
    const child = fork(join(outdir, 'main', 'branch-server.js'), [], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '0.0.0.0', TICKET_FONT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    started.push(child);
    return {
      process: child,
      handle: {
        onExit: (listener) => child.once('exit', (code) => listener(code)),
        onMessage: (listener) => child.on('message', listener),
        postMessage: (message) => child.send(message as object),
        kill: () => child.kill('SIGTERM'),
      },
    };
  }

  function supervise(env: Record<string, string> = {}) {
    const messages: FromServer[] = [];
    const crashes: number[] = [];
    const fatal: number[] = [];
    const processes: ChildProcess[] = [];
    const supervisor = new Supervisor({
      spawn: () => {
        const { handle, process } = spawnServer(env);
        processes.push(process);
        return handle;
      },
      now: Date.now,
      setTimer: (fn, ms) => {
        const timer = setTimeout(fn, ms);
        return { cancel: () => clearTimeout(timer) };
      },
      policy: { initialMs: 100, maxMs: 1_000, stableAfterMs: 60_000 },
      fatalExitCodes: [EXIT_FATAL],
      onFatal: (code) => fatal.push(code),
      onCrash: ({ restartInMs }) => crashes.push(restartInMs),
      onStart: (child) => child.onMessage((raw) => messages.push(FromServer.parse(raw))),
    });
    const ready = (n: number) => vi.waitFor(() => {
      const readies = messages.filter((m) => m.type === 'ready');
      expect(readies.length).toBeGreaterThanOrEqual(n);
      return readies[n - 1] as Extract<FromServer, { type: 'ready' }>;
    }, { timeout: 30_000, interval: 50 });
    const ask = async (message: ToServer) => {
      supervisor.child!.postMessage(message);
      return vi.waitFor(() => {
        const answer = messages.find((m) => (m.type === 'activity' && message.type === 'activity' && m.id === message.id) || (message.type === 'create-tenant' && m.type === 'tenant-created'));
        expect(answer).toBeDefined();
        return answer!;
      }, { timeout: 10_000 });
    };
    return { supervisor, messages, crashes, fatal, processes, ready, ask };
  }

  const post = async (url: string, path: string, body: unknown, token?: string) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return { status: res.status, body: await res.json() as Record<string, any> };
  };

  it('starts the server, creates a tenant, reports the tickets held in the branch, and comes back after being killed', async () => {
    const s = supervise({ MDNS: 'off' });
    s.supervisor.start();
    const first = await s.ready(1);
    expect(first).toMatchObject({ tenants: 1, enrolled: false });
    const url = `http://127.0.0.1:${first.port}`;
    await checkServer(url);

    await s.ask({ type: 'create-tenant', name: 'Agence Plateau', slug: 'plateau', adminEmail: 'admin@plateau.sn', adminPassword: ADMIN_PASSWORD });
    expect((await post(url, '/api/v1/auth/', { email: 'admin@plateau.sn', password: ADMIN_PASSWORD })).status).toBe(200);
    expect(await s.ask({ type: 'activity', id: 1 })).toEqual({ type: 'activity', id: 1, tickets: [] });

    // An agent calls a customer: the branch is busy for the server PC's updater.
    const agent = demo.agents[0]!;
    const token = (await post(url, '/api/v1/auth/', { email: agent.email, password: agent.password })).body['token'] as string;
    const queue = demo.queues[0]!;
    expect((await post(url, '/api/v1/tenants/demo-bank/tickets/', { queue: queue.id, channel: 'kiosk' }, token)).status).toBe(201);
    const called = await post(url, '/api/v1/tenants/demo-bank/agents/call-next/', { queue_id: queue.id }, token);
    expect(called.status).toBe(200);
    expect(await s.ask({ type: 'activity', id: 2 })).toEqual({ type: 'activity', id: 2, tickets: [called.body['number']] });

    // A power cut of the server process: the supervisor starts it again on the same database.
    s.processes[0]!.kill('SIGKILL');
    const second = await s.ready(2);
    expect(s.crashes).toEqual([100]);
    expect(second.tenants).toBe(2);
    await checkServer(`http://127.0.0.1:${second.port}`);
    expect(await s.ask({ type: 'activity', id: 3 })).toEqual({ type: 'activity', id: 3, tickets: [called.body['number']] });
    s.supervisor.stop();
    await vi.waitFor(() => expect(s.processes[1]!.exitCode).not.toBeNull(), { timeout: 10_000 });
    expect(s.supervisor.starts).toBe(2);
  });

  it('bundles the kiosk\'s print agent so it starts on its own', async () => {
    const child = fork(join(outdir, 'main', 'print-agent.js'), ['--help'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('--pair <code>');
  });

  it('is found on the LAN by mDNS under its advertised name', async () => {
    const name = `SmartQueue test ${process.pid}-${Date.now()}`;
    const s = supervise({ MDNS_NAME: name });
    s.supervisor.start();
    const ready = await s.ready(1);
    const found = await vi.waitFor(async () => {
      const servers = await discoverBranchServers(1_500);
      const mine = servers.find((f) => f.name === name);
      expect(mine).toBeDefined();
      return mine!;
    }, { timeout: 15_000, interval: 0 });
    expect(found.url).toMatch(new RegExp(`^http://[0-9.]+:${ready.port}$`));
    await checkServer(found.url);
    s.supervisor.stop();
  });

  it('refuses a database written by a newer version and is not restarted in a loop', async () => {
    const sqlite = new Database(join(dataDir, 'branch.sqlite'));
    sqlite.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run('9990-from-a-newer-version', new Date().toISOString());
    sqlite.close();
    const s = supervise({ MDNS: 'off' });
    s.supervisor.start();
    await vi.waitFor(() => expect(s.fatal).toEqual([EXIT_FATAL]), { timeout: 30_000 });
    expect(s.messages).toEqual([{ type: 'fatal', message: expect.stringMatching(/written by a newer version of SmartQueue Branch/) }]);
    expect(s.supervisor.state).toBe('stopped');
    expect(s.supervisor.starts).toBe(1);
  });
});
