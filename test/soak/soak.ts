import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { Db, openSqlite } from '../../branch-server/db/sqlite.ts';
import { qb } from '../../branch-server/db/sqlite.ts';
import { loadOrCreateSecret, sha256 } from '../../branch-server/http/secrets.ts';
import { createTokenService } from '../../branch-server/http/tokens.ts';
import { uuidv7 } from '../../branch-server/ids.ts';
import { Api, buildServer, percentile, round, rssMb, sleep, spawnServer, wallNow, type ServerChild } from '../bench/lib.ts';
import { appInclusive, summariseProfiles } from '../bench/cpu-profile.ts';
import { createTenantOn, SLUG, type Tenant } from '../bench/tenant.ts';

/**
 * `npm run soak`: the branch server at a sustained morning rush, bounded in time, on loopback.
 * 50 agents call and close, 10 kiosks issue at 1,000 tickets a minute in all, 200 displays follow
 * their queues over ws and acknowledge every call they show (as the display UI does). The server runs
 * as its own process, as `npm start` runs it.
 *
 * It checks, and reports as errors: any unexpected answer or network error; a ticket answered 201
 * that is not in the database or was served twice, or one in the database nobody was answered for;
 * a display that missed, repeated or reordered an event (gap in its channel's seq) or lost its
 * connection; an acknowledgement the server did not record; resident memory that keeps growing once
 * warmed up. It prints p50/p99 latencies.
 *
 * Knobs (environment): SOAK_SECONDS (600), SOAK_TICKETS_PER_MIN (1000), SOAK_AGENTS (50),
 * SOAK_KIOSKS (10), SOAK_DISPLAYS (200), SOAK_DRAIN_SECONDS (60), SOAK_KEEP=1 (keep the data directory), SOAK_CPU_PROF=1 (profile
 * the server and print its hottest functions).
 */

export type SoakOptions = Readonly<{
  seconds: number;
  ticketsPerMinute: number;
  agents: number;
  kiosks: number;
  displays: number;
  /**
   * After the kiosks stop, how long the agents may take to serve the rest of the line (default 60 s).
   * A server that cannot keep up with the rush leaves a line longer than this can absorb.
   */
  drainSeconds?: number;
  /** Line printer (progress); silent when omitted. */
  log?: (line: string) => void;
}>;

export type SoakReport = Readonly<{
  errors: string[];
  issued: number;
  called: number;
  closed: number;
  displayCalls: number;
  acks: number;
  /** Server RSS samples after warm-up: the first and last third's medians (MiB). */
  rss: Readonly<{ warmMb: number; endMb: number; growthPct: number; samples: number[] }>;
  latency: Readonly<Record<'issue' | 'call_next' | 'close' | 'display', Readonly<{ p50: number; p99: number; max: number; n: number }>>>;
}>;

/** Memory may vary this much between the start and the end of the warm run (GC cycles); a leak shows as steady growth past it. */
const RSS_GROWTH_LIMIT_PCT = 15;
const WARMUP_SHARE = 0.25;
const MAX_ERRORS_KEPT = 50;

type Seeded = Readonly<{
  agents: { userId: string; token: string }[];
  kioskKeys: string[];
  displays: { id: string; key: string; queueIds: string[] | 'all' }[];
}>;

/** Agents, kiosks and displays written straight into the database, before the server starts (as an admin would have set them up). */
async function seed(tenant: Tenant, options: SoakOptions): Promise<Seeded> {
  const sqlite = openSqlite(tenant.file);
  const db = new Db(sqlite);
  const tokens = createTokenService(loadOrCreateSecret(tenant.dataDir), 6 * 3_600);
  const now = Date.now();
  const queueIds = tenant.demo.queues.map((q) => q.id);
  const agents: Seeded['agents'] = [];
  const kioskKeys: string[] = [];
  const displays: Seeded['displays'] = [];
  try {
    const sessions: { userId: string; sessionId: string }[] = [];
    db.tx(() => {
      for (let i = 1; i <= options.agents; i += 1) {
        const userId = uuidv7(now);
        db.run(qb.insertInto('user').values({ id: userId, email: `soak-agent${i}@${SLUG}.local`, password_hash: '', first_name: 'Soak', last_name: `${i}`, created_at: now, updated_at: now }));
        db.run(qb.insertInto('tenant_membership').values({ id: uuidv7(now), tenant_id: tenant.tenantId, user_id: userId, role: 'agent', created_at: now, updated_at: now }));
        db.run(qb.insertInto('agent_profile').values({ id: uuidv7(now), tenant_id: tenant.tenantId, user_id: userId, counter_label: `Guichet S${i}`, status_changed_at: now, created_at: now, updated_at: now }));
        for (const queueId of queueIds) db.run(qb.insertInto('agent_queue').values({ tenant_id: tenant.tenantId, user_id: userId, queue_id: queueId }));
        const sessionId = randomUUID();
        db.run(qb.insertInto('auth_session').values({
          id: sessionId, user_id: userId, refresh_hash: sha256(randomUUID()), previous_refresh_hash: null,
          created_at: now, refreshed_at: now, expires_at: now + 6 * 3_600_000, revoked_at: null,
        }));
        sessions.push({ userId, sessionId });
      }
      const device = (type: 'kiosk' | 'display', ref: { kiosk_id?: string; display_id?: string }) => {
        const key = `sqd_${randomBytes(24).toString('base64url')}`;
        db.run(qb.insertInto('device').values({
          id: randomUUID(), tenant_id: tenant.tenantId, type, name: `soak ${type}`, kiosk_id: ref.kiosk_id ?? null, display_id: ref.display_id ?? null,
          pairing_code_hash: null, pairing_expires_at: null, key_hash: sha256(key), paired_at: now, revoked_at: null, last_seen_at: null,
          created_by: null, created_at: now, updated_at: now,
        }));
        return key;
      };
      for (let i = 1; i <= options.kiosks; i += 1) {
        const kioskId = uuidv7(now);
        db.run(qb.insertInto('kiosk').values({ id: kioskId, tenant_id: tenant.tenantId, site_id: tenant.demo.siteId, name: `Soak kiosk ${i}`, queue_ids: JSON.stringify(queueIds), created_at: now, updated_at: now }));
        kioskKeys.push(device('kiosk', { kiosk_id: kioskId }));
      }
      // One main screen in ten shows every queue; the others one queue each (counter and waiting-room screens).
      for (let i = 0; i < options.displays; i += 1) {
        const displayId = uuidv7(now);
        const shows: string[] | 'all' = i % 10 === 0 ? 'all' : [queueIds[i % queueIds.length]!];
        db.run(qb.insertInto('display').values({
          id: displayId, tenant_id: tenant.tenantId, site_id: tenant.demo.siteId, name: `Soak display ${i + 1}`,
          type: shows === 'all' ? 'main' : 'counter', queue_ids: JSON.stringify(shows === 'all' ? [] : shows), created_at: now, updated_at: now,
        }));
        displays.push({ id: displayId, key: device('display', { display_id: displayId }), queueIds: shows });
      }
    });
    for (const s of sessions) agents.push({ userId: s.userId, token: await tokens.sign(s, now) });
  } finally {
    db.close();
  }
  return { agents, kioskKeys, displays };
}

type Display = {
  readonly id: string;
  readonly queueIds: string[] | 'all';
  readonly ws: WebSocket;
  seq: number | null;
  calls: Map<string, number>;
  acksSent: number;
};

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const errors: string[] = [];
  let errorCount = 0;
  const fail = (message: string) => {
    errorCount += 1;
    if (errors.length < MAX_ERRORS_KEPT) errors.push(message);
  };
  const tmp = mkdtempSync(join(tmpdir(), 'sq-soak-'));
  let server: ServerChild | undefined;
  const displays: Display[] = [];
  let displaysClosed = false;
  try {
    await buildServer();
    const tenant = await createTenantOn(join(tmp, 'data'));
    const seeded = await seed(tenant, options);
    const profDir = process.env['SOAK_CPU_PROF'] === '1' ? join(tmp, 'prof') : undefined;
    server = await spawnServer({ dataDir: tenant.dataDir, cpuProfDir: profDir, env: { ACCESS_TOKEN_TTL_SECONDS: String(6 * 3_600) } });
    const pid = server.pid;
    log(`server ${server.url} (pid ${pid}); ${options.agents} agents, ${options.kiosks} kiosks, ${options.displays} displays, ${options.ticketsPerMinute} tickets/min for ${options.seconds} s`);
    const api = new Api(server.url, options.agents + options.kiosks + 8);
    const path = (rest: string) => `/api/v1/tenants/${SLUG}/${rest}`;
    const queues = tenant.demo.queues.map((q) => q.id);

    // ─── displays ───
    const calledAt = new Map<string, { at: number; queueId: string }>();
    const displayLatency: number[] = [];
    const wsBase = server.url.replace(/^http/, 'ws');
    await Promise.all(seeded.displays.map((d) => new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${wsBase}/ws/tenants/${SLUG}/displays/${d.id}/`, { headers: { authorization: `Device ${d.key}` } });
      const display: Display = { id: d.id, queueIds: d.queueIds, ws, seq: null, calls: new Map(), acksSent: 0 };
      displays.push(display);
      ws.on('message', (data: Buffer) => {
        const receivedAt = wallNow();
        let message: { type?: string; seq?: number; ticket_id?: string; queue_id?: string; recall_count?: number; code?: string; detail?: string };
        try {
          message = JSON.parse(data.toString('utf8')) as typeof message;
        } catch {
          fail(`display ${d.id}: a frame that is not JSON`);
          return;
        }
        if (message.type === 'error') {
          fail(`display ${d.id}: server refused a message: ${message.code} ${message.detail}`);
          return;
        }
        if (typeof message.seq !== 'number') return; // pong
        if (message.type === 'connection') {
          display.seq = message.seq;
          resolve();
          return;
        }
        if (display.seq !== null && message.seq !== display.seq + 1) fail(`display ${d.id}: seq ${message.seq} after ${display.seq} (an event lost or repeated)`);
        display.seq = message.seq;
        if (message.type === 'ticket_called' && message.ticket_id) {
          const seen = display.calls.get(message.ticket_id) ?? 0;
          if (seen > 0) fail(`display ${d.id}: ticket ${message.ticket_id} called twice`);
          display.calls.set(message.ticket_id, seen + 1);
          const call = calledAt.get(message.ticket_id);
          if (call) displayLatency.push(receivedAt - call.at);
          // As the display UI does once the call is on screen and announced.
          ws.send(JSON.stringify({ type: 'ack', ticket_id: message.ticket_id, recall_count: message.recall_count ?? 0, played: true }));
          display.acksSent += 1;
        }
      });
      ws.once('error', (error) => {
        if (display.seq === null) reject(error);
        else fail(`display ${d.id}: ws error ${error.message}`);
      });
      ws.once('close', (code, reason) => {
        if (!displaysClosed) fail(`display ${d.id}: connection closed by the server (${code} ${reason.toString()})`);
      });
    })));
    log(`${displays.length} displays connected`);

    // ─── memory sampling ───
    const rssSamples: { at: number; mb: number }[] = [];
    const startedAt = performance.now();
    const sampler = setInterval(() => {
      try {
        rssSamples.push({ at: performance.now() - startedAt, mb: rssMb(pid) });
      } catch {
        // the server is gone: the requests report it
      }
    }, 1_000);

    // ─── kiosks: an open-loop schedule, each kiosk issuing every kiosks × 60 / rate seconds ───
    const endAt = startedAt + options.seconds * 1_000;
    const issued = new Map<string, { number: string; queueId: string }>();
    const issueLatency: number[] = [];
    const interval = (60_000 * options.kiosks) / options.ticketsPerMinute;
    let nextQueue = 0;
    const inflight = new Set<Promise<void>>();
    const kiosks = seeded.kioskKeys.map(async (key, k) => {
      const authorization = `Device ${key}`;
      await sleep((interval * k) / options.kiosks);
      for (let due = performance.now(); due < endAt; due += interval) {
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const queueId = queues[nextQueue++ % queues.length]!;
        const request = api.request('POST', path('tickets/'), { token: undefined, body: { queue: queueId, channel: 'kiosk' }, headers: { authorization } })
          .then((res) => {
            if (res.status !== 201) return fail(`kiosk ${k + 1}: POST tickets/ answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
            issueLatency.push(res.ms);
            const id = res.body.id as string;
            if (issued.has(id)) fail(`ticket ${id} answered twice`);
            issued.set(id, { number: res.body.number as string, queueId });
          }, (error: unknown) => fail(`kiosk ${k + 1}: ${(error as Error).message}`));
        const tracked = request.finally(() => inflight.delete(tracked));
        inflight.add(tracked);
      }
    });

    // ─── agents: call, serve 0.5–2.5 s, close; wait a little when nobody waits ───
    let issuing = true;
    const served = new Map<string, string>();
    const callLatency: number[] = [];
    const closeLatency: number[] = [];
    const agents = seeded.agents.map(async (agent, a) => {
      const token = agent.token;
      for (;;) {
        const res = await api.request('POST', path('agents/call-next/'), { token, body: {} }).catch((error: unknown) => {
          fail(`agent ${a + 1}: ${(error as Error).message}`);
          return null;
        });
        if (!res) return;
        if (res.status === 404 && res.body?.code === 'no-ticket-waiting') {
          if (!issuing) return; // the line is empty and the kiosks have stopped
          await sleep(200 + Math.random() * 200);
          continue;
        }
        if (res.status !== 200) {
          fail(`agent ${a + 1}: call-next answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          await sleep(500);
          continue;
        }
        callLatency.push(res.ms);
        const id = res.body.id as string;
        calledAt.set(id, { at: res.at, queueId: res.body.queue as string });
        if (served.has(id)) fail(`ticket ${id} called twice (by ${served.get(id)} and agent ${a + 1})`);
        served.set(id, `agent ${a + 1}`);
        await sleep(500 + Math.random() * 2_000);
        const closed = await api.request('POST', path(`tickets/${id}/close/`), { token, body: {} }).catch((error: unknown) => {
          fail(`agent ${a + 1}: ${(error as Error).message}`);
          return null;
        });
        if (closed && closed.status !== 200) fail(`agent ${a + 1}: close answered ${closed.status} ${JSON.stringify(closed.body).slice(0, 200)}`);
        if (closed?.status === 200) closeLatency.push(closed.ms);
      }
    });

    const progress = setInterval(() => {
      const elapsed = Math.round((performance.now() - startedAt) / 1000);
      log(`  ${elapsed} s: ${issued.size} issued, ${served.size} called, ${issued.size - served.size} waiting, RSS ${round(rssSamples.at(-1)?.mb ?? 0, 1)} MiB, ${errorCount} errors`);
    }, 10_000);
    await Promise.all(kiosks);
    await Promise.all(inflight);
    issuing = false;
    log(`kiosks stopped after ${round((performance.now() - startedAt) / 1000, 1)} s: ${issued.size} tickets issued; the agents serve the rest of the line`);
    const drainMs = (options.drainSeconds ?? 60) * 1_000;
    let drained = false;
    await Promise.race([Promise.all(agents).then(() => { drained = true; }), sleep(drainMs)]);
    issuing = false;
    if (!drained) fail(`the agents could not serve the line within ${drainMs / 1000} s after the kiosks stopped (the server did not keep up with the rush)`);
    clearInterval(progress);
    clearInterval(sampler);
    await sleep(1_000); // last display events and acks

    // ─── checks ───
    for (const id of issued.keys()) if (!served.has(id)) fail(`ticket ${issued.get(id)!.number} (${id}) was issued but never called`);
    for (const id of served.keys()) if (!issued.has(id)) fail(`ticket ${id} was called but no kiosk was answered for it`);
    const numbers = new Set<string>();
    for (const t of issued.values()) {
      const key = `${t.queueId}:${t.number}`;
      if (numbers.has(key)) fail(`number ${t.number} given twice in one queue`);
      numbers.add(key);
    }
    let displayCalls = 0;
    let acksSent = 0;
    for (const d of displays) {
      acksSent += d.acksSent;
      for (const [id, call] of calledAt) {
        if (d.queueIds !== 'all' && !d.queueIds.includes(call.queueId)) continue;
        if (!d.calls.has(id)) fail(`display ${d.id} never showed the call of ticket ${id}`);
      }
      displayCalls += d.calls.size;
    }
    displaysClosed = true;
    await Promise.all(displays.map((d) => new Promise<void>((resolve) => {
      if (d.ws.readyState === WebSocket.CLOSED) return resolve();
      d.ws.once('close', () => resolve());
      d.ws.close(1000, 'soak over');
    })));
    api.close();
    await server.stop();
    server = undefined;
    if (profDir) printProfile(profDir, log);

    // What the database holds, read once the server has stopped.
    const sqlite = openSqlite(tenant.file);
    try {
      const rows = sqlite.prepare(`SELECT id, status FROM ticket WHERE tenant_id = ?`).all(tenant.tenantId) as { id: string; status: string }[];
      const inDb = new Map(rows.map((r) => [r.id, r.status]));
      for (const [id, t] of issued) {
        const status = inDb.get(id);
        if (status === undefined) fail(`ticket ${t.number} (${id}) answered 201 is not in the database`);
        else if (status !== 'clos') fail(`ticket ${t.number} (${id}) ends ${status}, not closed`);
      }
      for (const id of inDb.keys()) if (!issued.has(id)) fail(`ticket ${id} is in the database but no kiosk was answered for it`);
      const recorded = sqlite.prepare(`SELECT count(*) FROM display_ack WHERE tenant_id = ?`).pluck().get(tenant.tenantId) as number;
      if (recorded !== acksSent) fail(`${acksSent} display acks sent, ${recorded} recorded`);
      const integrity = sqlite.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') fail(`integrity_check: ${String(integrity)}`);
    } finally {
      sqlite.close();
    }

    const warm = rssSamples.filter((s) => s.at >= options.seconds * 1_000 * WARMUP_SHARE && s.at <= options.seconds * 1_000).map((s) => s.mb);
    const third = Math.max(1, Math.floor(warm.length / 3));
    const warmMb = percentile(warm.slice(0, third), 50);
    const endMb = percentile(warm.slice(-third), 50);
    const growthPct = ((endMb - warmMb) / warmMb) * 100;
    if (!(growthPct <= RSS_GROWTH_LIMIT_PCT)) fail(`server memory grew ${round(growthPct, 1)} % after warm-up (${round(warmMb, 1)} → ${round(endMb, 1)} MiB; limit ${RSS_GROWTH_LIMIT_PCT} %)`);
    if (errorCount > errors.length) errors.push(`… and ${errorCount - errors.length} more errors`);

    const stats = (samples: number[]) => ({ p50: percentile(samples, 50), p99: percentile(samples, 99), max: percentile(samples, 100), n: samples.length });
    return {
      errors, issued: issued.size, called: served.size, closed: closeLatency.length, displayCalls, acks: acksSent,
      rss: { warmMb, endMb, growthPct, samples: rssSamples.map((s) => round(s.mb, 1)) },
      latency: { issue: stats(issueLatency), call_next: stats(callLatency), close: stats(closeLatency), display: stats(displayLatency) },
    };
  } finally {
    displaysClosed = true;
    for (const d of displays) d.ws.terminate();
    await server?.stop();
    if (process.env['SOAK_KEEP'] !== '1') rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

function printProfile(dir: string, log: (line: string) => void): void {
  const { totalMs, hotspots } = summariseProfiles(dir, 25);
  log(`\nCPU profile of the server (${round(totalMs / 1000, 1)} s sampled, in ${dir}): self ms, self %, function`);
  for (const h of hotspots) log(`  ${String(Math.round(h.selfMs)).padStart(7)}  ${String(round(h.selfPct, 1)).padStart(5)}  ${h.name}`);
  log('app code by inclusive time:');
  for (const h of appInclusive(dir, 25)) log(`  ${String(Math.round(h.totalMs)).padStart(7)} ms  ${h.name}`);
}

export function printReport(report: SoakReport, log: (line: string) => void): void {
  const row = (name: string, s: SoakReport['latency']['issue']) =>
    `  ${name.padEnd(22)} ${String(s.n).padStart(7)}  p50 ${String(round(s.p50, 1)).padStart(7)} ms  p99 ${String(round(s.p99, 1)).padStart(7)} ms  max ${String(round(s.max, 1)).padStart(7)} ms`;
  log('\nLatencies');
  log(row('POST tickets/ (kiosk)', report.latency.issue));
  log(row('call-next', report.latency.call_next));
  log(row('close', report.latency.close));
  log(row('call → display', report.latency.display));
  log(`\n${report.issued} tickets issued, ${report.called} called, ${report.closed} closed; ${report.displayCalls} calls shown on displays, ${report.acks} acks`);
  log(`server RSS after warm-up: ${round(report.rss.warmMb, 1)} → ${round(report.rss.endMb, 1)} MiB (${round(report.rss.growthPct, 1)} %)`);
  log(report.errors.length === 0 ? '\nzero errors' : `\nERRORS (${report.errors.length}):\n${report.errors.map((e) => `  - ${e}`).join('\n')}`);
}

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const options: SoakOptions = {
    seconds: env('SOAK_SECONDS', 600), ticketsPerMinute: env('SOAK_TICKETS_PER_MIN', 1_000),
    agents: env('SOAK_AGENTS', 50), kiosks: env('SOAK_KIOSKS', 10), displays: env('SOAK_DISPLAYS', 200),
    drainSeconds: env('SOAK_DRAIN_SECONDS', 60), log,
  };
  log(`SmartQueue Branch soak — ${new Date().toISOString()}`);
  runSoak(options).then((report) => {
    printReport(report, log);
    process.exitCode = report.errors.length === 0 ? 0 : 1;
  }, (error: unknown) => {
    log(`soak failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  });
}
