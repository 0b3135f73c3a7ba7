import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCloudDb, type CloudDb } from '../../sync/cloud/db/database.ts';
import { startCloud } from '../../sync/cloud/start.ts';
import { createEnrollmentToken } from '../../sync/cloud/use-cases/enrollment.ts';
import { createCloudSite, createCloudTenant } from '../../sync/cloud/use-cases/tenants.ts';
import { bundleEntry } from '../helpers/bundle.ts';
import { openTestCloudDb } from '../helpers/cloud-db.ts';
import { expectConverged, seedCloudQueues } from '../helpers/sync-oracle.ts';
import { healAndDrain, rng, SimBranch } from '../helpers/sync-sim.ts';

/**
 * Issue 6, test 1: the real cloud process (`npm run cloud`'s entry point) is SIGKILLed 50 times at
 * random moments while three branches keep issuing tickets, creating and editing customers (the same
 * phone numbers at every branch, so duplicates merge) and pushing. Afterwards every branch-owned row
 * is in the cloud exactly once with equal content, and customers are equal everywhere.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const serverUrl = process.env['DATABASE_URL'];
// PGlite replays its write-ahead log for seconds after each kill: fewer rounds there (CI uses the server).
const KILLS = Number(process.env['CLOUD_KILLS'] ?? (serverUrl ? 50 : 10));
const random = rng(50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let child: ChildProcess | null = null;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  child?.kill('SIGKILL');
  if (entry) rmSync(await entry, { force: true });
  for (const c of cleanups.reverse()) await c();
});

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** `npm run cloud`'s entry point, bundled once so that each of the many restarts is a plain `node` start. */
let entry: Promise<string> | null = null;

async function launch(port: number, env: Record<string, string>): Promise<ChildProcess> {
  entry ??= bundleEntry('sync/cloud/cli/start.ts', 'cloud');
  const proc = spawn(process.execPath, ['--enable-source-maps', await entry], {
    cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  const deadline = Date.now() + 30_000;
  while (!out.includes('is running on')) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`cloud exited:\n${out}`);
    if (Date.now() > deadline) throw new Error(`cloud not up after 30 s:\n${out}`);
    await sleep(20);
  }
  return proc;
}

async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((done) => proc.once('exit', done));
  proc.kill('SIGKILL');
  await gone;
}

describe('the cloud killed mid-push', () => {
  it(`keeps every uploaded row exactly once through ${KILLS} SIGKILLs while three branches write`, async () => {
    // The cloud's database, seeded in this process: a tenant, three sites with queues, three tokens.
    let env: Record<string, string>;
    let open: () => Promise<CloudDb>;
    if (serverUrl) {
      const db = await openTestCloudDb();
      cleanups.push(() => db.drop());
      env = { DATABASE_URL: db.url! };
      open = async () => db;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'sq-cloud-kill-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env = { DATA_DIR: dir, DATABASE_URL: '' };
      open = () => openCloudDb({ dataDir: dir });
    }
    const seeding = await startCloud({ cloud: await open(), port: 0 });
    const { tenantId } = await createCloudTenant(seeding.deps, { name: 'Kill', slug: 'kill', adminEmail: 'a@kill.test', adminPassword: 'kill-password-1' });
    const tokens: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const siteId = await createCloudSite(seeding.deps, tenantId, { name, slug: name });
      await seedCloudQueues(seeding.deps, tenantId, siteId);
      tokens.push((await createEnrollmentToken(seeding.deps, { tenantId, siteId, createdBy: null })).token);
    }
    await seeding.close();
    if (!serverUrl) await seeding.deps.cloud.close();

    const port = await freePort();
    child = await launch(port, env);
    const target = { url: `http://127.0.0.1:${port}` };
    const branches: SimBranch[] = [];
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      const branch = await SimBranch.create(name, target, random);
      cleanups.push(() => branch.close());
      await branch.enroll(tokens[i]!);
      branches.push(branch);
    }

    let writing = true;
    const work = branches.map(async (b) => {
      while (writing) {
        const r = random();
        b.write(r < 0.1 ? 'customer' : r < 0.2 ? 'edit' : r < 0.35 ? 'feedback' : 'ticket');
        await b.sync();
        await sleep(20 + random() * 40);
      }
    });
    for (let k = 0; k < KILLS; k += 1) {
      await sleep(50 + random() * 250);
      await kill(child);
      child = await launch(port, env);
    }
    writing = false;
    await Promise.all(work);
    await healAndDrain(branches);

    const pushed = branches.reduce((n, b) => n + Number(b.db.sqlite.prepare('SELECT count(*) FROM ticket').pluck().get()), 0);
    expect(pushed).toBeGreaterThan(KILLS);
    await kill(child);
    child = null;
    const cloud = await open();
    if (!serverUrl) cleanups.push(() => cloud.close());
    await expectConverged(cloud, tenantId, branches.map((b) => ({ name: b.name, db: b.db, tenantId: b.tenantId, deviceId: b.deviceId, siteId: b.siteId })));
  }, 600_000);
});
