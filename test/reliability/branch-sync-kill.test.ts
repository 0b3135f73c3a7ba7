import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db, openSqlite } from '../../branch-server/db/sqlite.ts';
import { CLIENT_FAULT_POINTS } from '../../sync/client/sync-client.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../helpers/cloud.ts';
import { expectConverged, seedCloudQueues } from '../helpers/sync-oracle.ts';

/**
 * Issue 6, test 2: the real branch server (`npm start`'s entry point), enrolled on start, is
 * SIGKILLed at each of the sync client's crash points (`SYNC_CRASH_AT`). After each kill the file
 * passes integrity_check, every branch-owned row is either in the cloud or still in the outbox, and
 * no row the cloud acknowledged is left behind; restarted, the branch converges exactly once.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const BRANCH_TABLES = ['ticket', 'ticket_event', 'feedback', 'audit_log', 'appointment'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cloud: TestCloud;
let tenant: SeededCloudTenant;
const dirs: string[] = [];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  cloud = await startTestCloud();
  tenant = await seedCloudTenant(cloud, 'branch-kill');
}, 60_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await cloud?.stop();
});

function run(dataDir: string, env: Record<string, string>): { child: ChildProcess; exited: Promise<NodeJS.Signals | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'branch-server/cli/start.ts'], {
    cwd: ROOT, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_TENANT: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => {
    children.delete(child);
    done(signal);
  }));
  return { child, exited, output: () => out };
}

async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => { timer = setTimeout(() => fail(new Error(what())), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function syncState(file: string): Record<string, string> {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries((db.prepare('SELECT key, value FROM sync_state').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  } finally {
    db.close();
  }
}

describe('the branch killed at each sync crash point', () => {
  it.each(CLIENT_FAULT_POINTS)('survives SIGKILL at %s', async (point) => {
    const siteSlug = point.replace(/[^a-z]+/g, '-').replace(/-+$/, '');
    const { createCloudSite } = await import('../../sync/cloud/use-cases/tenants.ts');
    const siteId = await createCloudSite(cloud.deps, tenant.tenantId, { name: point, slug: siteSlug });
    await seedCloudQueues(cloud.deps, tenant.tenantId, siteId);
    const dataDir = mkdtempSync(join(tmpdir(), 'sq-branch-kill-'));
    dirs.push(dataDir);
    const file = join(dataDir, 'branch.sqlite');

    // First start: enroll, then the loop reaches the crash point and the process dies there.
    const first = run(dataDir, { CLOUD_URL: cloud.url, ENROLL_TOKEN: await enrollmentToken(cloud, tenant.tenantId, siteId), SYNC_CRASH_AT: point });
    expect(await within(first.exited, 60_000, () => `no crash at ${point}:\n${first.output()}`)).toBe('SIGKILL');

    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    const state = syncState(file);
    const deviceId = state['device_id']!;
    expect(deviceId, 'enrolled before the crash').toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const acked = Number(state['last_acked_seq'] ?? 0);
    // Nothing the cloud acknowledged is still waiting; nothing unacknowledged has left the outbox.
    const waiting = check.prepare('SELECT min(seq) FROM sync_outbox').pluck().get() as number | null;
    if (waiting !== null) expect(waiting).toBeGreaterThan(acked);
    const device = await cloud.db.db.selectFrom('device').select('last_applied_seq').where('id', '=', deviceId).executeTakeFirstOrThrow();
    expect(device.last_applied_seq).toBeGreaterThanOrEqual(acked);
    // Every branch-owned row is in the cloud or still in the outbox.
    for (const table of BRANCH_TABLES) {
      const ids = check.prepare(`SELECT id FROM ${table} WHERE id NOT IN (SELECT entity_id FROM sync_outbox WHERE entity = ?)`).pluck().all(table) as string[];
      if (ids.length === 0) continue;
      const uploaded = await cloud.db.db.selectFrom(table).select('id').where('id', 'in', ids).execute();
      expect(uploaded.length, `${table} rows neither uploaded nor waiting`).toBe(ids.length);
    }
    check.close();

    // Restarted without the drill: the branch finishes the job.
    const second = run(dataDir, {});
    await within((async () => {
      for (;;) {
        const s = syncState(file);
        const db = new Database(file, { readonly: true });
        const depth = db.prepare('SELECT count(*) FROM sync_outbox').pluck().get() as number;
        db.close();
        if (depth === 0 && s['cursor'] !== undefined && !s['snapshot']) return;
        await sleep(200);
      }
    })(), 60_000, () => `no convergence after restart:\n${second.output()}`);
    second.child.kill('SIGTERM');
    await second.exited;

    const db = new Db(openSqlite(file));
    try {
      await expectConverged(cloud.db, tenant.tenantId, [{ name: point, db, tenantId: tenant.tenantId, deviceId, siteId }]);
    } finally {
      db.sqlite.close();
    }
  }, 180_000);
});
