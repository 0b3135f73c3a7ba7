import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Db, openSqlite } from '../../branch-server/db/sqlite.ts';
import { FULL_WEEK, loadOfflineWeek } from '../helpers/offline-week.ts';
import { appInclusive, summariseProfiles } from './cpu-profile.ts';
import { Api, buildServer, percentile, ROOT, round, sleep, spawnServer, type ServerChild } from './lib.ts';

/**
 * Issue 6, test 8 as a benchmark: a branch back from a week offline (50,000 tickets, 200,000 events,
 * 20,000 audit rows) drains its outbox to a real cloud (its own process, on the PostgreSQL server
 * of DATABASE_URL, PGlite otherwise) while a kiosk rush issues 1,000 tickets a minute at the branch.
 *
 * `sync_rows_per_s`: backlog rows ÷ seconds from the branch's restart to the last backlog row acked.
 * `sync_drain_issue_p99_ms`: p99 latency of the tickets issued during the drain.
 *
 * Run alone with `npm run bench:sync`; `npm run bench` runs it too. BENCH_SYNC_SCALE (default 1)
 * scales the week.
 */
export type SyncDrainFigures = {
  sync_rows_per_s: number | null;
  sync_drain_issue_p99_ms: number | null;
};

const SLUG = 'bench-sync';
const ADMIN = { email: 'admin@bench-sync.com', password: 'bench-sync-admin-password' };
const KIOSK_PER_MIN = 1_000;

function cloudEnv(store: { databaseUrl: string | null; dataDir: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: store.dataDir };
  delete env['DATABASE_URL'];
  if (store.databaseUrl) env['DATABASE_URL'] = store.databaseUrl;
  return env;
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** `npm run cloud` as a child process on port 0; resolves with its URL once it listens. */
async function spawnCloud(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; url: string; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'sync/cloud/cli/start.ts'], {
    cwd: ROOT, env: { ...env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exit = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the cloud did not start within 60 s:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out = (out + chunk.toString('utf8')).slice(-8000);
      const match = /running on (http:\/\/[^\s]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.stdout?.on('data', read);
    proc.stderr?.on('data', read);
    void exit.then(() => reject(new Error(`the cloud exited before it listened:\n${out}`)));
  });
  return {
    proc,
    url,
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

const count = (db: Db, sql: string, ...args: unknown[]) => Number(db.sqlite.prepare(sql).pluck().get(...args));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${Math.round(ms / 1000)} s`);
    await sleep(100);
  }
}

export async function benchSyncDrain(log: (line: string) => void = console.log): Promise<SyncDrainFigures> {
  const scale = Number(process.env['BENCH_SYNC_SCALE'] ?? 1) || 1;
  const week = { tickets: Math.round(FULL_WEEK.tickets * scale), eventsPerTicket: FULL_WEEK.eventsPerTicket, auditRows: Math.round(FULL_WEEK.auditRows * scale) };
  const tmp = mkdtempSync(join(tmpdir(), 'sq-bench-sync-'));
  const serverUrl = process.env['DATABASE_URL'] ?? null;
  const database = `sq_bench_${randomBytes(5).toString('hex')}`;
  const databaseUrl = serverUrl ? Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString() : null;
  const env = cloudEnv({ databaseUrl, dataDir: join(tmp, 'cloud') });
  let cloud: Awaited<ReturnType<typeof spawnCloud>> | null = null;
  let branch: ServerChild | null = null;
  let api: Api | null = null;
  try {
    await buildServer();
    if (serverUrl) await adminQuery(serverUrl, `CREATE DATABASE ${database}`);
    log(`sync drain: cloud on ${serverUrl ? 'PostgreSQL' : 'PGlite'}; a week offline = ${week.tickets} tickets, ${week.tickets * week.eventsPerTicket} events, ${week.auditRows} audit rows`);
    const cli = (script: string, args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', `sync/cloud/cli/${script}`, ...args], { cwd: ROOT, env, encoding: 'utf8' });
    cli('create-tenant.ts', ['--name', 'Bench Sync', '--slug', SLUG, '--admin-email', ADMIN.email, '--admin-password', ADMIN.password, '--with-demo-data']);
    const token = cli('enroll-token.ts', ['--tenant', SLUG, '--site', 'dakar-plateau']).trim().split('\n').at(-1)!.trim();
    cloud = await spawnCloud(env);

    // Enroll a fresh branch and let it take its first snapshot.
    const dataDir = join(tmp, 'branch');
    const branchEnv = { CLOUD_URL: cloud.url };
    branch = await spawnServer({ dataDir, env: { ...branchEnv, ENROLL_TOKEN: token } });
    let db = new Db(openSqlite(join(dataDir, 'branch.sqlite')));
    const ready = () => count(db, `SELECT count(*) FROM sync_state WHERE key = 'cursor'`) === 1
      && count(db, `SELECT count(*) FROM queue`) > 0 && count(db, 'SELECT count(*) FROM sync_outbox') === 0;
    await until('the branch enrolled and took its snapshot', ready, 180_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${branch?.output()}`);
    });
    db.close();
    await branch.stop();

    // A week offline, written as the use-cases would have left it, then the branch comes back.
    db = new Db(openSqlite(join(dataDir, 'branch.sqlite')));
    const state = (key: string) => String(db.sqlite.prepare('SELECT value FROM sync_state WHERE key = ?').pluck().get(key));
    const tenantId = state('tenant_id');
    const siteId = state('site_id');
    const queueIds = db.sqlite.prepare(`SELECT id FROM queue WHERE site_id = ? AND status = 'open'`).pluck().all(siteId) as string[];
    loadOfflineWeek(db, { tenantId, siteId, queueIds }, week);
    const backlog = count(db, 'SELECT count(*) FROM sync_outbox');
    const lastOfBacklog = count(db, 'SELECT max(seq) FROM sync_outbox');
    log(`sync drain: ${backlog} outbox rows waiting; restarting the branch`);

    const t0 = performance.now();
    const profDir = process.env['BENCH_CPU_PROF'] === '1' ? join(tmp, 'prof') : undefined;
    branch = await spawnServer({ dataDir, env: branchEnv, cpuProfDir: profDir });
    api = new Api(branch.url, 8);
    const login = await api.expect(200, 'POST', '/api/v1/auth/', { body: ADMIN });
    const auth = String(login.body.token);

    // The kiosk rush: one ticket every 60 ms (1,000 a minute), open loop, until the backlog is gone.
    const latencies: number[] = [];
    let errors = 0;
    let draining = true;
    const kiosk = (async () => {
      let next = performance.now();
      let i = 0;
      const inFlight = new Set<Promise<void>>();
      while (draining) {
        const queue = queueIds[i++ % queueIds.length]!;
        const sent = api!.request('POST', `/api/v1/tenants/${SLUG}/tickets/`, { token: auth, body: { queue, channel: 'kiosk' } }).then((res) => {
          if (res.status === 201) latencies.push(res.ms);
          else errors += 1;
        }, () => { errors += 1; });
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
        next += 60_000 / KIOSK_PER_MIN;
        await sleep(Math.max(0, next - performance.now()));
      }
      await Promise.all(inFlight);
    })();
    let lastReport = performance.now();
    await until('the backlog drained', () => {
      const left = count(db, 'SELECT count(*) FROM sync_outbox WHERE seq <= ?', lastOfBacklog);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        log(`sync drain: ${backlog - left}/${backlog} rows uploaded after ${((lastReport - t0) / 1000).toFixed(0)} s`);
      }
      return left === 0;
    }, 30 * 60_000);
    const seconds = (performance.now() - t0) / 1000;
    draining = false;
    await kiosk;
    db.close();
    if (profDir) {
      await branch.stop();
      const { hotspots } = summariseProfiles(profDir, 15);
      log('  branch CPU during the drain (self ms, incl ms):');
      for (const h of hotspots) log(`    ${h.selfMs.toFixed(0).padStart(7)} ${h.totalMs.toFixed(0).padStart(7)}  ${h.name}`);
      for (const h of appInclusive(profDir, 15)) log(`    incl ${h.totalMs.toFixed(0).padStart(7)}  ${h.name}`);
    }
    const rowsPerSecond = backlog / seconds;
    log(`sync drain: ${backlog} rows in ${seconds.toFixed(1)} s = ${Math.round(rowsPerSecond)} rows/s; ${latencies.length} tickets issued meanwhile (${errors} errors), p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms`);
    if (errors > 0) throw new Error(`${errors} ticket issues failed during the drain`);
    return { sync_rows_per_s: round(rowsPerSecond, 0), sync_drain_issue_p99_ms: round(percentile(latencies, 99)) };
  } finally {
    api?.close();
    await branch?.stop();
    await cloud?.stop();
    if (serverUrl) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    if (process.env['BENCH_KEEP'] !== '1') rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchSyncDrain();
  console.table(figures);
}
