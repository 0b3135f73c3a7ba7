import { statfsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { healthRoutes, type HealthDto, type HealthStatus } from '../../contract/health.contract.ts';
import { MIGRATIONS } from '../../db/migrations/index.ts';
import type { Db } from '../../db/sqlite.ts';
import type { AppDeps, Handlers } from '../context.ts';

/** Below this, SQLite writes (and the WAL checkpoint) are about to fail. */
const DISK_FAILING_BYTES = 100 * 1024 * 1024;
const DISK_DEGRADED_BYTES = 1024 * 1024 * 1024;
const DB_SLOW_MS = 250;
/** A clock before this is an unset real-time clock (a Raspberry Pi without network time boots in 1970). */
const EARLIEST_PLAUSIBLE_NOW = Date.UTC(2024, 0, 1);
/** Tolerated step back of the clock behind the newest recorded timestamp (NTP corrections). */
const CLOCK_BACKWARDS_TOLERANCE_MS = 5 * 60_000;

type Checks = HealthDto['checks'];

function checkDatabase(db: Db): Checks['database'] {
  const started = performance.now();
  try {
    // Reads page 1 of the file (a bare `SELECT 1` never touches it).
    db.raw('SELECT count(*) AS n FROM sqlite_master');
    const latency = Math.round((performance.now() - started) * 100) / 100;
    return latency > DB_SLOW_MS
      ? { status: 'degraded', latency_ms: latency, detail: `The database answered in ${latency} ms.` }
      : { status: 'ok', latency_ms: latency };
  } catch (error) {
    return { status: 'failing', latency_ms: null, detail: `The database cannot be read: ${(error as Error).message}` };
  }
}

function checkDisk(dataDir: string): Checks['disk'] {
  try {
    const stats = statfsSync(dataDir);
    const free = Number(stats.bavail) * Number(stats.bsize);
    if (free < DISK_FAILING_BYTES) return { status: 'failing', free_bytes: free, detail: 'The data disk is almost full: tickets may fail to save.' };
    if (free < DISK_DEGRADED_BYTES) return { status: 'degraded', free_bytes: free, detail: 'Less than 1 GiB is free on the data disk.' };
    return { status: 'ok', free_bytes: free };
  } catch (error) {
    return { status: 'failing', free_bytes: null, detail: `The data directory cannot be inspected: ${(error as Error).message}` };
  }
}

function checkMigrations(db: Db): Checks['migrations'] {
  const expected = Object.keys(MIGRATIONS);
  try {
    const applied = db.raw<{ name: string }>('SELECT name FROM kysely_migration').map((r) => r.name);
    const missing = expected.filter((name) => !applied.includes(name));
    const unknown = applied.filter((name) => !expected.includes(name));
    if (missing.length > 0 || unknown.length > 0) {
      const parts = [
        missing.length > 0 ? `not applied: ${missing.join(', ')}` : '',
        unknown.length > 0 ? `unknown to this build: ${unknown.join(', ')}` : '',
      ].filter(Boolean);
      return { status: 'failing', applied: applied.length, expected: expected.length, detail: `Database schema mismatch (${parts.join('; ')}).` };
    }
    return { status: 'ok', applied: applied.length, expected: expected.length };
  } catch (error) {
    return { status: 'failing', applied: 0, expected: expected.length, detail: `Migrations cannot be read: ${(error as Error).message}` };
  }
}

/**
 * Correctness never depends on the wall clock, but numbering days, ETAs and the audit trail read
 * better with a right one: a clock before 2024, or behind what this database already recorded,
 * makes the server degraded (it keeps serving).
 */
function checkClock(db: Db, now: number): Checks['clock'] {
  const iso = new Date(now).toISOString();
  if (now < EARLIEST_PLAUSIBLE_NOW) return { status: 'degraded', now: iso, detail: 'The system clock is not set.' };
  try {
    // The newest row by the chain's own order: one primary-key step, whatever the audit history size.
    const newest = db.raw<{ at: number }>('SELECT created_at AS at FROM audit_log ORDER BY seq DESC LIMIT 1')[0]?.at ?? null;
    if (newest !== null && now < newest - CLOCK_BACKWARDS_TOLERANCE_MS) {
      return { status: 'degraded', now: iso, detail: `The clock is behind the newest audit entry (${new Date(newest).toISOString()}).` };
    }
  } catch {
    // The database check reports an unreadable database.
  }
  return { status: 'ok', now: iso };
}

/** Changes waiting longer than this to reach HQ make the branch degraded (HQ's figures are getting stale). */
const SYNC_STALE_MS = 60 * 60_000;

function checkSync(sync: AppDeps['sync']): Checks['sync'] {
  const s = sync.status();
  const base = { state: s.state, outbox_depth: s.outbox_depth, oldest_unsent_age_ms: s.oldest_unsent_age_ms };
  if (s.state === 'error') return { status: 'degraded', ...base, detail: `Sync stopped: ${s.last_error ?? s.last_error_code ?? 'error'}` };
  if (s.state !== 'not_enrolled' && s.oldest_unsent_age_ms !== null && s.oldest_unsent_age_ms > SYNC_STALE_MS) {
    return { status: 'degraded', ...base, detail: `${s.outbox_depth} changes have waited more than an hour to reach HQ.` };
  }
  return { status: 'ok', ...base };
}

function checkPrinters(db: Db): Checks['printers'] {
  try {
    const rows = db.raw<{ id: string; name: string; status: string; online: number | null; paper: string }>(
      'SELECT id, name, status, online, paper FROM printer',
    );
    // Never read (online null) is not a fault; a read that said offline, out of paper or cover open is.
    const notReady = rows.filter((p) => p.online === 0 || p.paper === 'out' || ['offline', 'paper-out', 'cover-open', 'error'].includes(p.status))
      .map((p) => ({ id: p.id, name: p.name, state: p.online === 0 ? 'offline' : p.paper === 'out' ? 'paper-out' : p.status }));
    if (notReady.length > 0) {
      return { status: 'degraded', total: rows.length, not_ready: notReady, detail: `${notReady.map((p) => `${p.name}: ${p.state}`).join(', ')}.` };
    }
    return { status: 'ok', total: rows.length, not_ready: [] };
  } catch (error) {
    return { status: 'degraded', total: 0, not_ready: [], detail: `Printers cannot be read: ${(error as Error).message}` };
  }
}

function checkBackups(backups: AppDeps['backups'], now: number, startedAt: number): Checks['backups'] {
  const good = backups.lastGood();
  const base = { last_good_at: good ? new Date(good.started_at).toISOString() : null, last_good_file: good?.file ?? null };
  const failure = backups.lastFailure;
  if (failure) return { status: 'degraded', ...base, detail: `The last backup failed: ${failure.error}` };
  const { intervalMinutes, nightlyHour } = backups.options;
  if (intervalMinutes === 0 && nightlyHour === null) return { status: 'ok', ...base, detail: 'Scheduled backups are off.' };
  // Two intervals (or two days with nightly backups only) without a verified copy: the RPO is not met.
  const allowed = intervalMinutes > 0 ? 2 * intervalMinutes * 60_000 + 5 * 60_000 : 2 * 86_400_000;
  const since = good?.started_at ?? startedAt;
  if (now - since > allowed) {
    return { status: 'degraded', ...base, detail: good ? `The newest verified backup is from ${base.last_good_at}.` : 'No verified backup yet.' };
  }
  return { status: 'ok', ...base };
}

const RANK: Readonly<Record<HealthStatus, number>> = { ok: 0, degraded: 1, failing: 2 };

export const healthHandlers: Handlers<typeof healthRoutes> = {
  health(ctx) {
    const { db, config } = ctx.deps;
    const checks: Checks = {
      database: checkDatabase(db),
      disk: checkDisk(config.dataDir),
      migrations: checkMigrations(db),
      clock: checkClock(db, ctx.now),
      sync: checkSync(ctx.deps.sync),
      printers: checkPrinters(db),
      backups: checkBackups(ctx.deps.backups, ctx.now, config.startedAt),
    };
    const status = Object.values(checks).reduce<HealthStatus>((worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst), 'ok');
    // Load balancers and supervisors read the status code: failing must not look healthy.
    if (status === 'failing') ctx.setStatus(503);
    return { status, version: config.version, checks };
  },
};
