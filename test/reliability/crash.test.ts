import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Db } from '../../branch-server/db/sqlite.ts';
import { expectStoreInvariants } from '../helpers/journal.ts';

/**
 * The crash test: the real server (`npm start`'s entry point) in a child process, killed with SIGKILL
 * in the middle of a burst of ticket creations, N times over the same DATA_DIR. A ticket whose
 * creation was answered 2xx must survive every crash, with its number, its journal and an intact file.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const ROUNDS = 8;
const PARALLEL_LOOPS = 8;
const SLUG = 'demo-bank';

type Acked = Readonly<{ id: string; number: string; queue: string }>;
type Child = Readonly<{ url: string; output: () => string; kill(): Promise<NodeJS.Signals | null>; exitedEarly: () => boolean }>;

const dataDir = mkdtempSync(join(tmpdir(), 'sq-crash-'));
const children = new Set<ReturnType<typeof spawn>>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `node --import tsx branch-server/cli/start.ts` on a free port (PORT=0) and waits until it answers. */
async function launch(): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'branch-server/cli/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_TENANT: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => {
    children.delete(child);
    done(signal);
  }));
  let gone = false;
  void exited.then(() => { gone = true; });

  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server not up after 20 s:\n${out}`)), 20_000);
    const check = () => {
      // The banner is printed in one piece once the server listens (and the demo tenant exists).
      const match = /running on (http:\/\/[^\s]+)/.exec(out);
      if (match && out.includes('Manager:')) {
        clearTimeout(timer);
        done(match[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`server exited before it was up:\n${out}`));
    });
  });
  // Up means answering: an anonymous auth/me/ is a 401.
  expect((await fetch(`${url}/api/v1/auth/me/`)).status).toBe(401);
  return {
    url,
    output: () => out,
    exitedEarly: () => gone,
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

async function createOne(server: Child, token: string, queue: string): Promise<{ status: number; ticket: Acked }> {
  const res = await fetch(`${server.url}/api/v1/tenants/${SLUG}/tickets/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ queue, channel: 'kiosk' }),
  });
  const body = (await res.json()) as Acked;
  return { status: res.status, ticket: { id: body.id, number: body.number, queue: body.queue } };
}

/** Ticket creations from `PARALLEL_LOOPS` clients until the server is gone; returns those answered 201. */
function burst(server: Child, token: string, queues: readonly string[]): { done: Promise<void>; acked: Acked[]; refused: string[] } {
  const acked: Acked[] = [];
  const refused: string[] = [];
  const loop = async (n: number) => {
    for (let i = 0; i < 10_000; i += 1) {
      let res: Response;
      let body: Acked;
      try {
        res = await fetch(`${server.url}/api/v1/tenants/${SLUG}/tickets/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ queue: queues[(n + i) % queues.length], channel: 'kiosk' }),
          signal: AbortSignal.timeout(10_000),
        });
        body = (await res.json()) as Acked;
      } catch {
        return; // killed: connection refused or reset, or the body was cut off (not an answer)
      }
      if (res.status === 201) acked.push({ id: body.id, number: body.number, queue: body.queue });
      else refused.push(`${res.status} ${JSON.stringify(body)}`);
    }
  };
  return { done: Promise.all(Array.from({ length: PARALLEL_LOOPS }, (_, n) => loop(n))).then(() => undefined), acked, refused };
}

/** Opens the file the way a restart would find it, and checks what must survive a crash. */
function checkDatabase(acked: readonly Acked[]): number {
  const sqlite = new Database(join(dataDir, 'branch.sqlite'), { readonly: true });
  try {
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    const find = sqlite.prepare('SELECT id, number, queue_id AS queue FROM ticket WHERE id = ?');
    const missing = acked.filter((a) => {
      const row = find.get(a.id) as Acked | undefined;
      return !row || row.number !== a.number || row.queue !== a.queue;
    });
    expect(missing, 'acknowledged tickets lost or changed').toEqual([]);
    // Audit chain, every ticket's 'ticket.created' event and outbox rows, unique gap-free numbers.
    expectStoreInvariants(new Db(sqlite));
    return sqlite.prepare('SELECT count(*) FROM ticket').pluck().get() as number;
  } finally {
    sqlite.close();
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('crash safety', () => {
  it(`keeps every acknowledged ticket through ${ROUNDS} SIGKILLs in the middle of a burst`, async () => {
    let server = await launch();
    const password = /Admin password:\s+(\S+)/.exec(server.output())?.[1];
    expect(password, server.output()).toBeDefined();
    const login = await fetch(`${server.url}/api/v1/auth/`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo-bank.com', password }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const reader = new Database(join(dataDir, 'branch.sqlite'), { readonly: true });
    const queues = reader.prepare('SELECT id FROM queue ORDER BY prefix').pluck().all() as string[];
    reader.close();
    expect(queues).toHaveLength(3);

    const allAcked: Acked[] = [];
    let burstAcked = 0;
    let stored = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      if (round > 1) {
        server = await launch();
        expect(server.output(), 'a restart after a crash prints no new password').not.toContain('Admin password');
      }
      // One creation first, answered before the burst: the code path is warm (and the round has an ack
      // even on a slow machine), so the kill lands among concurrent writes.
      const warm = await createOne(server, token, queues[round % queues.length]!);
      expect(warm.status).toBe(201);
      allAcked.push(warm.ticket);
      const run = burst(server, token, queues);
      await sleep(10 + Math.random() * 290);
      expect(server.exitedEarly(), `the server died by itself:\n${server.output()}`).toBe(false);
      expect(await server.kill()).toBe('SIGKILL');
      await run.done;
      expect(run.refused, 'every creation answered before the kill succeeded').toEqual([]);
      allAcked.push(...run.acked);
      burstAcked += run.acked.length;

      const count = checkDatabase(allAcked);
      expect(count).toBeGreaterThanOrEqual(stored + 1 + run.acked.length);
      stored = count;
    }
    expect(burstAcked, 'the kills landed among concurrent creations').toBeGreaterThan(0);
    // Numbers survive the crashes too: no acknowledged number was handed out twice.
    const keys = allAcked.map((a) => `${a.queue}/${a.number}`);
    expect(new Set(keys).size).toBe(keys.length);

    // One last clean start: the server still issues the next number of each queue.
    server = await launch();
    const { status, ticket: last } = await createOne(server, token, queues[0]!);
    expect(status).toBe(201);
    await server.kill();
    const sqlite = new Database(join(dataDir, 'branch.sqlite'), { readonly: true });
    const seq = sqlite.prepare('SELECT max(seq) FROM ticket WHERE queue_id = ?').pluck().get(queues[0]) as number;
    sqlite.close();
    expect(last.number).toBe(`A${String(seq).padStart(3, '0')}`);
  }, 120_000);
});
