import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { appendAudit, SYSTEM_ACTOR } from '../db/repositories/audit.repository.ts';
import { deleteSyncState, setSyncState } from '../db/repositories/sync-state.repository.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { MIGRATIONS } from '../db/migrations/index.ts';
import { Db, openSqlite, qb } from '../db/sqlite.ts';
import { verifyBackupFile, type BackupCheck } from './backups.ts';
import { runningServerPid } from './pid-file.ts';

export class RestoreError extends Error {
  override readonly name = 'RestoreError';
}

export type RestorePlan = Readonly<{
  file: string;
  target: string;
  check: BackupCheck;
  /** Tickets in the database it replaces (null: none there yet). */
  currentTickets: number | null;
}>;

/** Checks a backup before anything is touched: readable, integrity ok, not from a newer version, no server running. */
export async function planRestore(dataDir: string, file: string): Promise<RestorePlan> {
  if (!existsSync(file)) throw new RestoreError(`No such file: ${file}`);
  const pid = runningServerPid(dataDir);
  if (pid !== null) throw new RestoreError(`A branch server (pid ${pid}) is using ${dataDir}: stop it first.`);
  const check = await verifyBackupFile(file);
  if (check.integrity !== 'ok') throw new RestoreError(`The backup fails its integrity check: ${check.integrity}`);
  const unknown = check.migrations.filter((name) => !(name in MIGRATIONS));
  if (unknown.length > 0) throw new RestoreError(`The backup was written by a newer version (migrations ${unknown.join(', ')}): install that version to restore it.`);
  const target = join(dataDir, 'branch.sqlite');
  let currentTickets: number | null = null;
  if (existsSync(target)) {
    try {
      const current = new Database(target, { readonly: true, fileMustExist: true });
      try {
        currentTickets = current.prepare('SELECT count(*) FROM ticket').pluck().get() as number;
      } finally {
        current.close();
      }
    } catch {
      currentTickets = null;
    }
  }
  return { file, target, check, currentTickets };
}

export type RestoreResult = Readonly<{
  setAside: string | null;
  tickets: number | null;
  streamId: string;
  /** Queue days whose numbering continues after what the set-aside database had issued. */
  countersCarried: number;
}>;

/**
 * Restores a backup into DATA_DIR/branch.sqlite (the server must be stopped):
 * 1. the current database (with its WAL) is moved to DATA_DIR/pre-restore/, never deleted;
 * 2. the backup is copied in with the SQLite backup API and migrated to this version;
 * 3. sync starts over safely: a new upload stream (the cloud may already hold rows under seqs this
 *    older database will reuse, so the old stream cannot go on) and a fresh snapshot of HQ's data.
 *    Rows the backup still had waiting are sent again as replays (`replay_through`): the cloud keeps
 *    each row once by its id and takes a replay only where it has no copy (any copy it has came
 *    from this branch before the restore, at least as new); rows written after the restore follow.
 *    Nothing uploaded is lost or duplicated at the cloud, whatever the branch's clock says.
 * 4. ticket numbers go on after the last ones the set-aside database issued, when it can still be
 *    read: a customer in the waiting room may hold a ticket printed after the backup was taken, and
 *    nobody must be handed the same number again that day;
 * 5. an audit row records the restore.
 */
export async function restoreBackup(plan: RestorePlan, now: number): Promise<RestoreResult> {
  const dataDir = join(plan.target, '..');
  let setAside: string | null = null;
  if (existsSync(plan.target)) {
    const folder = join(dataDir, 'pre-restore');
    mkdirSync(folder, { recursive: true });
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
    setAside = join(folder, `branch-${stamp}.sqlite`);
    // The WAL and shared-memory files belong to the database they sit beside: they move with it.
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(`${plan.target}${suffix}`)) renameSync(`${plan.target}${suffix}`, `${setAside}${suffix}`);
    }
  }
  const source = new Database(plan.file, { readonly: true, fileMustExist: true });
  try {
    await source.backup(plan.target);
  } finally {
    source.close();
  }
  const sqlite = openSqlite(plan.target);
  try {
    await migrateToLatest(sqlite);
    const db = new Db(sqlite);
    const streamId = randomUUID();
    const counters = setAside ? issuedCounters(setAside) : [];
    let countersCarried = 0;
    db.tx(() => {
      const carry = db.sqlite.prepare(`INSERT INTO queue_counter (queue_id, business_date, last_seq)
        SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM queue WHERE id = ?)
        ON CONFLICT (queue_id, business_date) DO UPDATE SET last_seq = excluded.last_seq WHERE excluded.last_seq > queue_counter.last_seq`);
      for (const c of counters) countersCarried += carry.run(c.queue_id, c.business_date, c.last_seq, c.queue_id).changes;
      setSyncState(db, 'stream_id', streamId);
      // What the backup's outbox holds may be at the cloud already, newer: sent again as replays.
      const last = db.sqlite.prepare('SELECT max(seq) FROM sync_outbox').pluck().get() as number | null;
      if (last !== null) setSyncState(db, 'replay_through', last);
      else deleteSyncState(db, 'replay_through');
      for (const key of ['cursor', 'last_acked_seq', 'snapshot'] as const) deleteSyncState(db, key);
      db.run(qb.deleteFrom('sync_snapshot_seen'));
      const tenant = db.first(qb.selectFrom('tenant').select('id').orderBy('created_at').limit(1));
      if (tenant) {
        appendAudit(db, SYSTEM_ACTOR, {
          tenantId: tenant.id, action: 'backup.restored', entity: 'tenant', entityId: tenant.id,
          after: { file: plan.file, tickets: plan.check.tickets, set_aside: setAside, counters_carried: countersCarried },
        }, now);
      }
    });
    return { setAside, tickets: plan.check.tickets, streamId, countersCarried };
  } finally {
    sqlite.close();
  }
}

/**
 * The day counters of a set-aside database, or none when it cannot be read (the restore is often
 * because it is damaged). Opened read-only, its WAL beside it: nothing in it changes.
 */
function issuedCounters(file: string): { queue_id: string; business_date: string; last_seq: number }[] {
  try {
    const old = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return old.prepare('SELECT queue_id, business_date, last_seq FROM queue_counter').all() as { queue_id: string; business_date: string; last_seq: number }[];
    } finally {
      old.close();
    }
  } catch {
    return [];
  }
}
