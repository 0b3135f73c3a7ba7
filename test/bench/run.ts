import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../branch-server/db/sqlite.ts';
import { publicToken, uuidv7 } from '../../branch-server/ids.ts';
import { bulkLoadHistory, type HistoryTarget } from './bulk-load.ts';
import { HQ_REPORT_TICKETS, hqReportBench } from './hq-report.ts';
import { benchSyncDrain } from './sync-drain.ts';
import { appInclusive, summariseProfiles } from './cpu-profile.ts';
import type { IssueLoadReport, IssueLoadRequest } from './issue-load.ts';
import { Api, buildServer, percentile, ROOT, round, rssMb, sleep, spawnServer, wallNow, type ServerChild } from './lib.ts';
import type { WsChildReport, WsChildRequest } from './ws-clients.ts';
import { ADMIN, createTenantOn, SLUG, type Tenant } from './tenant.ts';

/**
 * `npm run bench`: the branch server against the physical limit of this machine. A benchmark, not a
 * test: it prints figures and writes `bench-results.json`; it fails only if it cannot measure.
 *
 * The server runs as its own process (`dist/server/start.mjs`, built first, as `npm start` does) on temporary
 * data directories; load comes from other processes over loopback HTTP and ws.
 *
 * Knobs (environment): BENCH_HISTORY (default 1000000), BENCH_ISSUE_SECONDS (10),
 * BENCH_WS_SIZES ("1000,5000"), BENCH_WS_PROCS (2), BENCH_PHASE_BUDGET_S (60: cap of each sampling
 * loop), BENCH_CPU_PROF=1 (profile the server: top functions printed per phase), BENCH_KEEP=1,
 * BENCH_ONLY (comma-separated groups to run: issue, history, ws, sync, hq; default all; "issue" is
 * the raw insert and the issue phase, "history" call-next, cold start and stats).
 */

type Figures = {
  issue_p50_ms: number | null;
  issue_p99_ms: number | null;
  issue_per_s: number | null;
  raw_insert_per_s: number | null;
  issue_vs_raw: number | null;
  issue_p99_ms_watched: number | null;
  issue_per_s_watched: number | null;
  call_next_p99_ms_1k: number | null;
  call_next_p99_ms_1m: number | null;
  call_next_growth: number | null;
  ws_fanout_p99_ms_1000: number | null;
  ws_fanout_p99_ms_5000: number | null;
  stats_p99_ms: number | null;
  cold_start_ms: number | null;
  rss_mb_5000_ws: number | null;
  hq_report_p95_ms_10m: number | null;
  sync_rows_per_s: number | null;
  sync_drain_issue_p99_ms: number | null;
};

const TARGETS: Partial<Record<keyof Figures, { op: '<=' | '>='; value: number }>> = {
  issue_p99_ms: { op: '<=', value: 15 },
  issue_vs_raw: { op: '>=', value: 0.5 },
  call_next_growth: { op: '<=', value: 1.5 },
  ws_fanout_p99_ms_5000: { op: '<=', value: 150 },
  stats_p99_ms: { op: '<=', value: 20 },
  cold_start_ms: { op: '<=', value: 1500 },
  rss_mb_5000_ws: { op: '<=', value: 250 },
  hq_report_p95_ms_10m: { op: '<=', value: 500 },
};

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const HISTORY = env('BENCH_HISTORY', 1_000_000);
const FIRST_HISTORY = Math.min(1_000, HISTORY);
const ISSUE_SECONDS = env('BENCH_ISSUE_SECONDS', 10);
const WS_SIZES = (process.env['BENCH_WS_SIZES'] ?? '1000,5000').split(',').map(Number).filter((n) => n > 0);
const WS_PROCS = env('BENCH_WS_PROCS', 2);
const CPU_PROF = process.env['BENCH_CPU_PROF'] === '1';
const ONLY = process.env['BENCH_ONLY'] ? new Set(process.env['BENCH_ONLY'].split(',').map((g) => g.trim())) : null;
const wanted = (group: 'issue' | 'history' | 'ws' | 'sync' | 'hq') => ONLY === null || ONLY.has(group);
/** Tickets of the HQ report phase: 10M take ~17 min to generate here, so the full bench uses 1M unless told. */
const HQ_TICKETS = env('BENCH_HQ_TICKETS', 1_000_000);
const CALL_SAMPLES = 1_000;
const STATS_SAMPLES = 300;
const WS_CALLS = 60;
const WAITING = 20;
/** Wall-clock cap of each sampling loop, so a regression cannot make the run endless (fewer samples are reported). */
const BUDGET_MS = env('BENCH_PHASE_BUDGET_S', 60) * 1_000;

const figures: Figures = {
  issue_p50_ms: null, issue_p99_ms: null, issue_per_s: null, raw_insert_per_s: null, issue_vs_raw: null,
  issue_p99_ms_watched: null, issue_per_s_watched: null,
  call_next_p99_ms_1k: null, call_next_p99_ms_1m: null, call_next_growth: null,
  ws_fanout_p99_ms_1000: null, ws_fanout_p99_ms_5000: null, stats_p99_ms: null, cold_start_ms: null, rss_mb_5000_ws: null,
  hq_report_p95_ms_10m: null,
  sync_rows_per_s: null,
  sync_drain_issue_p99_ms: null,
};
const details: string[] = [];
const failures: string[] = [];
const children = new Set<ChildProcess>();
const servers = new Set<ServerChild>();
const tmp = mkdtempSync(join(tmpdir(), 'sq-bench-'));
let profileSeq = 0;

const log = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number | null | undefined, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? '—' : String(round(n, digits)));

// ─── set-up helpers ────────────────────────────────────────────────────────────────────────────

async function startServer(dataDir: string, phase: string): Promise<ServerChild> {
  let profDir: string | undefined;
  if (CPU_PROF) {
    profDir = join(tmp, `prof-${(profileSeq += 1)}-${phase}`);
    mkdirSync(profDir, { recursive: true });
  }
  const server = await spawnServer({ dataDir, cpuProfDir: profDir });
  servers.add(server);
  const stop = server.stop;
  return {
    ...server,
    async stop() {
      await stop();
      servers.delete(server);
      if (profDir) printProfile(phase, profDir);
    },
  };
}

function printProfile(phase: string, dir: string): void {
  try {
    const { files, totalMs, hotspots } = summariseProfiles(dir, 15);
    log(`\n  CPU profile of the server during "${phase}" (${files.length} file(s), ${round(totalMs / 1000, 1)} s sampled, in ${dir}):`);
    log('    self ms   self %  incl ms  function');
    for (const h of hotspots) log(`    ${fmt(h.selfMs, 0).padStart(7)}  ${fmt(h.selfPct, 1).padStart(6)}  ${fmt(h.totalMs, 0).padStart(7)}  ${h.name}`);
    log('    app code by inclusive time:');
    for (const h of appInclusive(dir, 12)) log(`    ${fmt(h.totalMs, 0).padStart(7)} ms  ${fmt(h.selfPct, 1).padStart(5)} %  ${h.name}`);
  } catch (error) {
    log(`  (could not read the CPU profile in ${dir}: ${(error as Error).message})`);
  }
}

async function login(api: Api, email: string, password: string): Promise<string> {
  const res = await api.expect(200, 'POST', '/api/v1/auth/', { body: { email, password } });
  return res.body.token as string;
}

/** Asks a ws-clients child to open `count` more clients on `url`; resolves with its report. */
function connectWsClients(child: ChildProcess, url: string, count: number, parallel: number): Promise<Extract<WsChildReport, { type: 'connected' }>> {
  return new Promise((resolve) => {
    const onMessage = (m: WsChildReport) => {
      if (m.type !== 'connected') return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.send({ type: 'connect', url, count, parallel } satisfies WsChildRequest);
  });
}

function forkChild(file: string): ChildProcess {
  const child = fork(join(ROOT, 'test/bench', file), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs one phase; a phase that cannot be measured is reported and the others still run. */
async function phase(name: string, fn: () => Promise<void>): Promise<void> {
  const started = performance.now();
  log(`\n▶ ${name}`);
  try {
    await fn();
    log(`  done in ${round((performance.now() - started) / 1000, 1)} s`);
  } catch (error) {
    const message = `${name}: ${(error as Error).message}`;
    failures.push(message);
    log(`  ✗ could not measure — ${(error as Error).message}`);
  }
}

// ─── phases ────────────────────────────────────────────────────────────────────────────────────

/** Each measurement of the physical limit (before and after the issue phase), in inserts per second. */
const rawRates: number[] = [];

/**
 * The physical limit: one durable single-row ticket insert per transaction, bare better-sqlite3.
 * Measured right before and right after the issue phase, and `raw_insert_per_s` is their mean: this
 * disk's fsync speed drifts by 10-20% from one minute to the next, and a single sample taken before
 * moved the ratio by as much as the framework's own changes.
 */
async function rawInsert(label: string): Promise<void> {
  const dataDir = join(tmp, `raw-${label}`);
  const tenant = await createTenantOn(dataDir);
  const sqlite = openSqlite(tenant.file); // same pragmas as the server: WAL, synchronous=FULL
  try {
    const insert = sqlite.prepare(`INSERT INTO ticket (id, tenant_id, site_id, queue_id, public_id, number, seq, business_date,
      customer_id, channel, priority, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'kiosk', 0, 'en_attente', ?, ?)`);
    const queue = tenant.demo.queues[0]!;
    const day = new Date().toISOString().slice(0, 10);
    let n = 0;
    const started = performance.now();
    const end = started + 3_000;
    while (performance.now() < end) {
      n += 1;
      const now = Date.now();
      insert.run(uuidv7(now), tenant.tenantId, tenant.demo.siteId, queue.id, publicToken(), `${queue.prefix}${n}`, n, day, now, now);
    }
    const seconds = (performance.now() - started) / 1000;
    rawRates.push(n / seconds);
    log(`  ${n} durable inserts in ${round(seconds, 2)} s (autocommit, synchronous=FULL, WAL): ${Math.round(n / seconds)} /s`);
  } finally {
    sqlite.close();
  }
}

/**
 * `watched`: a staff console holds each queue's ws channel during the run (an agent's desk or the
 * manager's board), so every change of a line is followed by its ETA push, as in a branch at work.
 */
async function issueBench(watched = false): Promise<void> {
  const tenant = await createTenantOn(join(tmp, watched ? 'issue-watched' : 'issue'));
  const server = await startServer(tenant.dataDir, watched ? 'issue-watched' : 'issue');
  let consoles: ChildProcess | null = null;
  try {
    const api = new Api(server.url);
    const token = await login(api, ADMIN.email, ADMIN.password);
    api.close();
    if (watched) {
      const child = (consoles = forkChild('ws-clients.ts'));
      for (const queue of tenant.demo.queues) {
        const url = `${server.url.replace(/^http/, 'ws')}/ws/tenants/${SLUG}/queues/${queue.id}/?token=${encodeURIComponent(token)}`;
        const connected = await connectWsClients(child, url, 1, 1);
        if (connected.failed > 0) throw new Error(`the staff console could not watch queue ${queue.prefix}: ${connected.firstError ?? 'no answer'}`);
      }
    }
    const child = forkChild('issue-load.ts');
    const job: IssueLoadRequest = {
      url: server.url, token, slug: SLUG, queueIds: tenant.demo.queues.map((q) => q.id),
      concurrency: 16, warmupMs: 1_000, durationMs: ISSUE_SECONDS * 1_000,
    };
    const report = await new Promise<IssueLoadReport>((resolve, reject) => {
      child.once('message', (m: { type: string; report?: IssueLoadReport; message?: string }) => {
        if (m.type === 'report' && m.report) resolve(m.report);
        else reject(new Error(m.message ?? 'issue-load failed'));
      });
      child.once('exit', (code) => reject(new Error(`issue-load exited with ${code}`)));
      child.send(job);
    });
    if (report.ok === 0) throw new Error(`no ticket issued: ${report.firstError ?? 'no answer'}`);
    if (watched) {
      figures.issue_p99_ms_watched = percentile(report.latenciesMs, 99);
      figures.issue_per_s_watched = report.ok / (report.elapsedMs / 1000);
      log(`  ${report.ok} tickets issued in ${report.elapsedMs / 1000} s with a staff console on each queue's channel, ${report.errors} errors; p50 ${fmt(percentile(report.latenciesMs, 50))} ms, p99 ${fmt(figures.issue_p99_ms_watched)} ms`);
      log(`  per second: ${report.perSecond.join(' ')}`);
      details.push(`issue watched: the same load with one ws client on each queue's staff channel (every line change is followed by its ETA push): p50 ${fmt(percentile(report.latenciesMs, 50))} ms, p99 ${fmt(figures.issue_p99_ms_watched)} ms, ${Math.round(figures.issue_per_s_watched)} /s`);
      return;
    }
    figures.issue_p50_ms = percentile(report.latenciesMs, 50);
    figures.issue_p99_ms = percentile(report.latenciesMs, 99);
    figures.issue_per_s = report.ok / (report.elapsedMs / 1000);
    log(`  ${report.ok} tickets issued in ${report.elapsedMs / 1000} s at concurrency 16 (+1 s warm-up), ${report.errors} errors${report.firstError ? ` (first: ${report.firstError})` : ''}`);
    log(`  per second: ${report.perSecond.join(' ')}`);
    log(`  p50 ${fmt(figures.issue_p50_ms)} ms, p90 ${fmt(percentile(report.latenciesMs, 90))} ms, p99 ${fmt(figures.issue_p99_ms)} ms, max ${fmt(percentile(report.latenciesMs, 100))} ms`);
    details.push(`issue: ${report.ok} tickets in ${report.elapsedMs / 1000} s, ${report.errors} errors; per second first→last ${report.perSecond[0] ?? 0}→${report.perSecond.at(-1) ?? 0}; every ticket stays waiting, so the queues grow to ~${Math.round((report.ok * (1 + 1 / ISSUE_SECONDS)) / 3)} waiting each`);
  } finally {
    if (consoles) {
      consoles.send({ type: 'close' } satisfies WsChildRequest);
      await new Promise((r) => { consoles!.once('exit', r); setTimeout(r, 5_000); });
    }
    await server.stop();
  }
}

type Session = { server: ServerChild; api: Api; admin: string; agent: string; tenant: Tenant; issued: number };

async function openSession(tenant: Tenant, phaseName: string, server?: ServerChild): Promise<Session> {
  const running = server ?? (await startServer(tenant.dataDir, phaseName));
  const api = new Api(running.url);
  const admin = await login(api, ADMIN.email, ADMIN.password);
  const first = tenant.demo.agents[0]!; // agent 1 serves every queue
  const agent = await login(api, first.email, first.password);
  return { server: running, api, admin, agent, tenant, issued: 0 };
}

async function issueOne(s: Session, queueId?: string): Promise<void> {
  const queues = s.tenant.demo.queues;
  const queue = queueId ?? queues[s.issued % queues.length]!.id;
  s.issued += 1;
  await s.api.expect(201, 'POST', `/api/v1/tenants/${SLUG}/tickets/`, { token: s.admin, body: { queue, channel: 'kiosk' } });
}

async function waitingCount(s: Session, queueId?: string): Promise<number> {
  let total = 0;
  for (const q of s.tenant.demo.queues) {
    if (queueId && q.id !== queueId) continue;
    const res = await s.api.expect(200, 'GET', `/api/v1/tenants/${SLUG}/queues/${q.id}/stats/`, { token: s.admin });
    total += res.body.waiting_count as number;
  }
  return total;
}

/** Agent 1 calls next (timed), closes it, a kiosk ticket replaces it: ~20 always waiting. */
async function callNextBench(s: Session, samples: number, label: string): Promise<number[]> {
  for (let n = await waitingCount(s); n < WAITING; n += 1) await issueOne(s);
  const latencies: number[] = [];
  const deadline = performance.now() + BUDGET_MS;
  for (let i = 0; i < samples + 20 && performance.now() < deadline; i += 1) {
    const res = await s.api.expect(200, 'POST', `/api/v1/tenants/${SLUG}/agents/call-next/`, { token: s.agent, body: {} });
    if (i >= 20) latencies.push(res.ms);
    await s.api.expect(200, 'POST', `/api/v1/tenants/${SLUG}/tickets/${res.body.id as string}/close/`, { token: s.agent, body: {} });
    await issueOne(s);
  }
  if (latencies.length < samples) {
    details.push(`${label}: only ${latencies.length} of ${samples} samples within the ${BUDGET_MS / 1000} s budget (each call + close + issue cycle took ${round(BUDGET_MS / (latencies.length + 20), 0)} ms on average)`);
  }
  log(`  ${latencies.length} calls (20 warm-up excluded): p50 ${fmt(percentile(latencies, 50))} ms, p90 ${fmt(percentile(latencies, 90))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(percentile(latencies, 100))} ms`);
  return latencies;
}

async function statsBench(s: Session): Promise<void> {
  const queues = s.tenant.demo.queues;
  const latencies: number[] = [];
  for (let i = 0; i < STATS_SAMPLES + 20; i += 1) {
    const q = queues[i % queues.length]!;
    const res = await s.api.expect(200, 'GET', `/api/v1/tenants/${SLUG}/queues/${q.id}/stats/`, { token: s.admin });
    if (i >= 20) latencies.push(res.ms);
  }
  figures.stats_p99_ms = percentile(latencies, 99);
  log(`  ${STATS_SAMPLES} GET stats/ over the 3 queues: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(figures.stats_p99_ms)} ms, max ${fmt(percentile(latencies, 100))} ms`);
}

/** ws clients in WS_PROCS child processes on queue A; time from the call-next response to each client's event. */
async function wsBench(s: Session): Promise<void> {
  const queue = s.tenant.demo.queues[0]!;
  const url = `${s.server.url.replace(/^http/, 'ws')}/ws/tenants/${SLUG}/queues/${queue.id}/?token=${encodeURIComponent(s.admin)}`;
  const procs = Array.from({ length: WS_PROCS }, () => forkChild('ws-clients.ts'));
  const reports = new Map<string, Map<ChildProcess, { times: number[]; missing: number }>>();
  const waiters = new Map<string, () => void>();
  let dropped = 0;
  let dropInfo = '';
  for (const child of procs) {
    child.on('message', (m: WsChildReport) => {
      if (m.type === 'arrivals') {
        const byChild = reports.get(m.ticketId) ?? new Map();
        if (!byChild.has(child)) byChild.set(child, { times: m.times, missing: m.missing });
        reports.set(m.ticketId, byChild);
        if (byChild.size === procs.length) waiters.get(m.ticketId)?.();
      } else if (m.type === 'dropped') {
        dropped += 1;
        dropInfo = `${m.lastCode} ${m.lastReason}`;
      }
    });
  }
  const ask = (child: ChildProcess, request: WsChildRequest) => child.send(request);
  const connect = (child: ChildProcess, count: number) => connectWsClients(child, url, count, 64);

  const rssBefore = rssMb(s.server.pid);
  log(`  server RSS before ws clients: ${fmt(rssBefore, 1)} MiB`);
  try {
    let connected = 0;
    for (const size of WS_SIZES) {
      const add = size - connected;
      const started = performance.now();
      const results = await Promise.all(procs.map((child, i) => connect(child, Math.floor(add / procs.length) + (i < add % procs.length ? 1 : 0))));
      const open = results.reduce((sum, r) => sum + r.open, 0);
      const firstError = results.find((r) => r.firstError)?.firstError;
      if (open < size) {
        throw new Error(`only ${open} of ${size} ws clients connected to ${url.replace(/token=[^&]+/, 'token=…')}; first error: ${firstError ?? 'none'}`);
      }
      connected = open;
      log(`  ${open} ws clients connected in ${round((performance.now() - started) / 1000, 1)} s over ${procs.length} processes (each got its snapshot)`);
      await sleep(500);
      for (let n = await waitingCount(s, queue.id); n < WAITING; n += 1) await issueOne(s, queue.id);

      const latencies: number[] = [];
      const fromPress: number[] = [];
      const callMs: number[] = [];
      let missing = 0;
      let calls = 0;
      // Each iteration broadcasts six events to every client (issue, call, close): twice the budget.
      const deadline = performance.now() + 2 * BUDGET_MS;
      for (let i = 0; i < WS_CALLS + 5 && performance.now() < deadline; i += 1) {
        await issueOne(s, queue.id);
        await sleep(100); // let the clients drain the previous events: each call is measured on its own
        const res = await s.api.expect(200, 'POST', `/api/v1/tenants/${SLUG}/agents/call-next/`, { token: s.agent, body: { queue_id: queue.id } });
        const ticketId = res.body.id as string;
        await new Promise<void>((resolve) => {
          if (reports.get(ticketId)?.size === procs.length) return resolve();
          const timer = setTimeout(() => {
            for (const child of procs) ask(child, { type: 'flush', ticketId });
          }, 5_000);
          waiters.set(ticketId, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        waiters.delete(ticketId);
        const byChild = reports.get(ticketId)!;
        reports.delete(ticketId);
        if (i >= 5) {
          calls += 1;
          callMs.push(res.ms);
          const pressedAt = res.at - res.ms;
          for (const r of byChild.values()) {
            for (const t of r.times) {
              latencies.push(t - res.at);
              fromPress.push(t - pressedAt);
            }
            missing += r.missing;
          }
        }
        await s.api.expect(200, 'POST', `/api/v1/tenants/${SLUG}/tickets/${ticketId}/close/`, { token: s.agent, body: {} });
      }
      const p99 = percentile(latencies, 99);
      if (latencies.length === 0) throw new Error(`no ws client received a ticket.called event (${missing} missing): is the realtime hub publishing on ${'/ws/tenants/{slug}/queues/{queue_id}/'}?`);
      if (calls < 50) details.push(`ws ${size}: only ${calls} calls within the ${(2 * BUDGET_MS) / 1000} s budget`);
      log(`  ${size} clients × ${calls} calls: ${latencies.length} deliveries, ${missing} missing after 5 s, ${dropped} connections dropped${dropped ? ` (last: ${dropInfo})` : ''}`);
      log(`    from the call-next response: min ${fmt(percentile(latencies, 0))} ms, p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(p99)} ms, max ${fmt(percentile(latencies, 100))} ms (negative: the event arrived before the HTTP answer)`);
      log(`    from the call-next request (agent presses "call"): p50 ${fmt(percentile(fromPress, 50))} ms, p99 ${fmt(percentile(fromPress, 99))} ms; call-next itself p50 ${fmt(percentile(callMs, 50))} ms, p99 ${fmt(percentile(callMs, 99))} ms`);
      if (size === 1000) figures.ws_fanout_p99_ms_1000 = p99;
      if (size === 5000) {
        figures.ws_fanout_p99_ms_5000 = p99;
        figures.rss_mb_5000_ws = rssMb(s.server.pid);
        log(`  server RSS with ${open} ws clients: ${fmt(figures.rss_mb_5000_ws, 1)} MiB`);
      }
      details.push(`ws ${size}: agent press → event at the clients p50 ${fmt(percentile(fromPress, 50), 0)} ms, p99 ${fmt(percentile(fromPress, 99), 0)} ms; call-next answered in p50 ${fmt(percentile(callMs, 50), 0)} ms, p99 ${fmt(percentile(callMs, 99), 0)} ms`);
      if (missing > 0) details.push(`ws ${size}: ${missing} expected deliveries did not arrive within 5 s (counted out of the p99)`);
    }
  } finally {
    for (const child of procs) {
      if (child.connected) ask(child, { type: 'close' });
    }
  }
}

// ─── main ──────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const reduced = HISTORY !== 1_000_000 || ISSUE_SECONDS !== 10 || WS_SIZES.join(',') !== '1000,5000' || ONLY !== null;
  log(`SmartQueue Branch benchmark — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  log(`temp dir: ${tmp}${reduced ? `\nREDUCED RUN: history ${HISTORY}, issue ${ISSUE_SECONDS} s, ws ${WS_SIZES.join('/')}${ONLY ? `, only ${[...ONLY].join(', ')}` : ''} — figures are not comparable with the targets` : ''}`);

  checkOpenFileLimit();
  const built = await buildServer();
  log(`built ${built.file} in ${round(built.ms, 0)} ms (the server runs from it, as \`npm start\` does)`);

  if (wanted('issue')) {
    await phase('raw durable insert (bare better-sqlite3, ≥ 3 s), before the issue phase', () => rawInsert('before'));
    await phase(`issue tickets: POST tickets/ at concurrency 16 for ${ISSUE_SECONDS} s (separate load process)`, () => issueBench());
    await phase('raw durable insert again, after the issue phase', () => rawInsert('after'));
    if (rawRates.length === 2) details.push(`raw insert: ${rawRates.map((r) => `${Math.round(r)} /s`).join(' before, ')} after the issue phase; raw_insert_per_s is their mean`);
    await phase(`issue tickets with a staff console watching each queue (ETA pushes on), ${ISSUE_SECONDS} s`, () => issueBench(true));
  }

  // Shared by the phases below (a holder object: the phases assign it from closures).
  const state: { tenant?: Tenant; session?: Session | undefined } = {};
  if (wanted('history') || wanted('ws')) await phase(`call-next with ${FIRST_HISTORY} closed tickets of history`, async () => {
    const tenant = (state.tenant = await createTenantOn(join(tmp, 'history')));
    const load = bulkLoadHistory(tenant.file, historyTarget(tenant), 0, FIRST_HISTORY);
    log(`  bulk-loaded ${FIRST_HISTORY} tickets in ${round(load.ms, 0)} ms`);
    const s = (state.session = await openSession(tenant, 'history-1k'));
    figures.call_next_p99_ms_1k = percentile(await callNextBench(s, CALL_SAMPLES, 'call-next 1k'), 99);
  });
  await withSession(state, async (s) => {
    if (!wanted('ws')) return;
    // On the small history: fan-out and memory are about the hub, not the database (call-next growth is measured apart).
    await phase(`ws fan-out to ${WS_SIZES.join(' then ')} clients (${WS_PROCS} client processes, ${FIRST_HISTORY} tickets of history)`, () => wsBench(s));
  });

  if (wanted('history')) await phase(`bulk load to ${HISTORY.toLocaleString('en')} tickets, then cold start ×3`, async () => {
    const { tenant } = state;
    if (!tenant) throw new Error('no history database (previous phase failed)');
    const load = bulkLoadHistory(tenant.file, historyTarget(tenant), FIRST_HISTORY, HISTORY - FIRST_HISTORY);
    log(`  bulk-loaded ${(HISTORY - FIRST_HISTORY).toLocaleString('en')} tickets in ${round(load.ms / 1000, 1)} s (${Math.round(load.perSecond).toLocaleString('en')}/s; ${round(load.cpuMs / 1000, 1)} s of CPU)`);
    const starts: number[] = [];
    let readiness = '';
    for (let i = 0; i < 3; i += 1) {
      const server = await startServer(tenant.dataDir, `cold-start-${i + 1}`);
      starts.push(server.startMs);
      readiness = server.readiness;
      if (i < 2) await server.stop();
      else state.session = await openSession(tenant, 'history-1m', server);
    }
    figures.cold_start_ms = percentile(starts, 50);
    log(`  spawn → healthy: ${starts.map((ms) => `${round(ms, 0)} ms`).join(', ')} (median reported; ready = ${readiness})`);
    details.push(`cold start: spawn of \`node dist/server/start.mjs\` (what \`npm start\` runs after building it) to first ${readiness}, median of 3 (OS page cache warm)`);
  });
  if (wanted('history')) await withSession(state, async (s) => {
    await phase(`call-next with ${HISTORY.toLocaleString('en')} closed tickets of history`, async () => {
      figures.call_next_p99_ms_1m = percentile(await callNextBench(s, CALL_SAMPLES, 'call-next 1m'), 99);
    });
    await phase(`queue stats with ${HISTORY.toLocaleString('en')} tickets of history`, () => statsBench(s));
  });

  if (wanted('sync')) await phase('a week offline drained to the cloud while a kiosk issues 1,000 tickets a minute', async () => {
    Object.assign(figures, await benchSyncDrain(log));
  });

  if (wanted('hq')) await phase(`HQ analytics report over ${HQ_TICKETS.toLocaleString('en')} tickets (PostgreSQL server at DATABASE_URL)`, async () => {
    const hq = await hqReportBench(log, HQ_TICKETS);
    // The key names 10M tickets: a smaller run's p95 is printed, not written under it.
    if (hq.tickets === HQ_REPORT_TICKETS) figures.hq_report_p95_ms_10m = hq.p95Ms;
    else if (hq.p95Ms !== null) details.push(`hq report: p95 ${round(hq.p95Ms, 1)} ms at ${hq.tickets.toLocaleString('en')} tickets — hq_report_p95_ms_10m needs BENCH_HQ_TICKETS=${HQ_REPORT_TICKETS}`);
    details.push(...(hq.skipped ? [`hq report: ${hq.skipped}`] : hq.details));
  });

  if (rawRates.length > 0) figures.raw_insert_per_s = rawRates.reduce((a, b) => a + b, 0) / rawRates.length;
  if (figures.issue_per_s !== null && figures.raw_insert_per_s) figures.issue_vs_raw = figures.issue_per_s / figures.raw_insert_per_s;
  if (figures.call_next_p99_ms_1k && figures.call_next_p99_ms_1m !== null) figures.call_next_growth = figures.call_next_p99_ms_1m / figures.call_next_p99_ms_1k;

  printTable(reduced);
  const json = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v === null || !Number.isFinite(v) ? null : round(v, 3)]));
  writeFileSync(join(ROOT, 'bench-results.json'), `${JSON.stringify(json, null, 2)}\n`);
  log(`\nwrote ${join(ROOT, 'bench-results.json')}`);
  if (failures.length > 0) {
    log(`\nNot measured (${failures.length}):`);
    for (const f of failures) log(`  - ${f}`);
    process.exitCode = 1;
  }
}

/**
 * 5,000 ws clients need 5,000 sockets in the server and as many across the client processes (which
 * inherit this limit). Node cannot raise it itself: run `ulimit -n 65536` in the shell first.
 */
function checkOpenFileLimit(): void {
  try {
    const limit = Number(execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
    const needed = Math.max(...WS_SIZES, 0) + 1_000;
    if (Number.isFinite(limit) && limit < needed) {
      log(`WARNING: open files limit is ${limit}; ${Math.max(...WS_SIZES)} ws clients need about ${needed} per process. Run \`ulimit -n 65536\` first.`);
    }
  } catch {
    // not a POSIX shell: the ws phase reports its own errors
  }
}

/** Runs `fn` on the open session, if any, then stops its server. */
async function withSession(state: { session?: Session | undefined }, fn: (s: Session) => Promise<void>): Promise<void> {
  const s = state.session;
  state.session = undefined;
  if (!s) return;
  try {
    await fn(s);
  } finally {
    s.api.close();
    await s.server.stop();
  }
}

function historyTarget(tenant: Tenant): HistoryTarget {
  return {
    tenantId: tenant.tenantId,
    siteId: tenant.demo.siteId,
    queues: tenant.demo.queues,
    agents: tenant.demo.agents.map((a) => ({ userId: a.userId, counter: a.counter })),
  };
}

function printTable(reduced: boolean): void {
  const units: Record<keyof Figures, string> = {
    issue_p50_ms: 'ms', issue_p99_ms: 'ms', issue_per_s: '/s', raw_insert_per_s: '/s', issue_vs_raw: '×',
    issue_p99_ms_watched: 'ms', issue_per_s_watched: '/s',
    call_next_p99_ms_1k: 'ms', call_next_p99_ms_1m: 'ms', call_next_growth: '×', ws_fanout_p99_ms_1000: 'ms',
    ws_fanout_p99_ms_5000: 'ms', stats_p99_ms: 'ms', cold_start_ms: 'ms', rss_mb_5000_ws: 'MiB',
    hq_report_p95_ms_10m: 'ms',
    sync_rows_per_s: 'rows/s',
    sync_drain_issue_p99_ms: 'ms',
  };
  const rows = (Object.keys(figures) as (keyof Figures)[]).map((key) => {
    const value = figures[key];
    const target = TARGETS[key];
    const met = !target || value === null ? '' : (target.op === '<=' ? value <= target.value : value >= target.value) ? 'yes' : 'NO';
    return [key, value === null ? 'not measured' : `${fmt(value, value >= 100 ? 0 : 2)} ${units[key]}`, target ? `${target.op} ${target.value}` : '', met];
  });
  const head = ['figure', 'value', 'target', 'met?'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`;
  log(`\n${'═'.repeat(60)}\nResults${reduced ? ' (REDUCED RUN)' : ''} — ${new Date().toISOString().slice(0, 10)}`);
  log(line(head));
  log(`  ${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const r of rows) log(line(r));
  log('\nRatios');
  log(`  issue_vs_raw      ${fmt(figures.issue_vs_raw, 3)}  (framework throughput / bare durable inserts on this disk)`);
  log(`  call_next_growth  ${fmt(figures.call_next_growth, 3)}  (call-next p99 with ${HISTORY.toLocaleString('en')} vs ${FIRST_HISTORY} tickets of history)`);
  if (figures.raw_insert_per_s) {
    log(`  floor of issue p50 at concurrency 16 with one fsync per ticket (Little's law, 16 / raw_insert_per_s): ${fmt((16 / figures.raw_insert_per_s) * 1000)} ms`);
  }
  if (figures.issue_per_s !== null) log(`  issue_per_s × 60 = ${Math.round(figures.issue_per_s * 60).toLocaleString('en')} tickets/min (v1 peak spec: 1,000/min)`);
  if (details.length > 0) {
    log('\nNotes');
    for (const d of details) log(`  - ${d}`);
  }
}

async function cleanup(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...servers].map((s) => s.stop().catch(() => undefined)));
  if (process.env['BENCH_KEEP'] !== '1' && !CPU_PROF) rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}

process.once('SIGINT', () => {
  log('\ninterrupted: stopping the server and clients…');
  void cleanup().then(() => process.exit(130));
});

const wallStart = wallNow();
main()
  .catch((error: unknown) => {
    log(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    log(`total ${round((wallNow() - wallStart) / 1000, 0)} s`);
  });
