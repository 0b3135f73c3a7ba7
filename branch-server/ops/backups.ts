import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { SqliteHandle } from '../db/sqlite.ts';

export type BackupKind = 'periodic' | 'nightly' | 'manual';

/** What a backup's manifest (`<file>.json`, beside it) says; the folder describes itself (a USB stick read elsewhere). */
export type BackupRecord = Readonly<{
  file: string;
  kind: BackupKind;
  started_at: number;
  finished_at: number;
  bytes: number;
  /** `ok`, or what `PRAGMA integrity_check` (or opening the copy) said. */
  integrity: string;
  ok: boolean;
  /** Tickets in the copy (a sanity figure shown beside it). */
  tickets: number | null;
}>;

export type BackupOptions = Readonly<{
  /** BACKUP_DIR: a second disk or a USB stick; DATA_DIR/backups by default. */
  dir: string;
  /** Minutes between periodic backups (RPO); 0: none. */
  intervalMinutes: number;
  /** Local hour (0–23) of the nightly backup; null: none. */
  nightlyHour: number | null;
  /** Generations kept per kind (periodic and manual share `keep`). */
  keep: number;
  keepNightly: number;
}>;

export const DEFAULT_BACKUP_OPTIONS: Omit<BackupOptions, 'dir'> = { intervalMinutes: 15, nightlyHour: 2, keep: 8, keepNightly: 7 };

export type BackupListener = Readonly<{ onBackup?(record: BackupRecord): void }>;

const MANIFEST = '.json';

/**
 * Online backups of the branch database with the SQLite backup API (better-sqlite3's `backup()`:
 * page by page between requests, a consistent snapshot even while tickets are being issued; never a
 * file copy, which could catch the WAL half-written). Each copy is verified with
 * `PRAGMA integrity_check` in a worker thread (a large database takes seconds: the event loop keeps
 * serving), then named and described by a manifest; older generations are pruned.
 */
export class BackupService {
  readonly #sqlite: SqliteHandle;
  readonly #options: BackupOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #listener: BackupListener;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<BackupRecord> | null = null;
  #lastPeriodicAt: number;
  #lastAttempt: { at: number; error: string } | null = null;

  constructor(sqlite: SqliteHandle, options: BackupOptions, now: () => number, logger: Logger, listener: BackupListener = {}) {
    this.#sqlite = sqlite;
    this.#options = options;
    this.#now = now;
    this.#logger = logger;
    this.#listener = listener;
    this.#lastPeriodicAt = this.list().find((r) => r.kind !== 'nightly')?.started_at ?? 0;
  }

  get dir(): string {
    return this.#options.dir;
  }

  get options(): BackupOptions {
    return this.#options;
  }

  /** Looks every minute whether a periodic or the nightly backup is due. */
  start(checkEveryMs = 60_000): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runDue().catch(() => undefined), checkEveryMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#inFlight?.catch(() => undefined);
  }

  /** Takes whatever is due now (the timer calls this; tests call it with a fake clock). */
  async runDue(): Promise<BackupRecord | null> {
    const now = this.#now();
    const { intervalMinutes, nightlyHour } = this.#options;
    if (nightlyHour !== null && this.#nightlyDue(now, nightlyHour)) return this.take('nightly');
    if (intervalMinutes > 0 && now - this.#lastPeriodicAt >= intervalMinutes * 60_000) return this.take('periodic');
    return null;
  }

  #nightlyDue(now: number, hour: number): boolean {
    const today = new Date(now);
    if (today.getHours() < hour) return false;
    const due = new Date(today.getFullYear(), today.getMonth(), today.getDate(), hour).getTime();
    const last = this.list().find((r) => r.kind === 'nightly' && r.ok);
    return !last || last.started_at < due;
  }

  /** Takes a backup now (one at a time: a second caller gets the one in flight). */
  take(kind: BackupKind): Promise<BackupRecord> {
    this.#inFlight ??= this.#take(kind).finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  async #take(kind: BackupKind): Promise<BackupRecord> {
    const dir = this.#options.dir;
    mkdirSync(dir, { recursive: true });
    const startedAt = this.#now();
    if (kind !== 'nightly') this.#lastPeriodicAt = startedAt;
    const name = `branch-${kind}-${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}.sqlite`;
    const partial = join(dir, `${name}.partial`);
    const file = join(dir, name);
    try {
      rmSync(partial, { force: true });
      await this.#sqlite.backup(partial);
      const check = await verifyBackupFile(partial);
      renameSync(partial, file);
      const record: BackupRecord = {
        file: name, kind, started_at: startedAt, finished_at: this.#now(), bytes: statSync(file).size,
        integrity: check.integrity, ok: check.integrity === 'ok', tickets: check.tickets,
      };
      writeFileSync(join(dir, `${name}${MANIFEST}`), `${JSON.stringify(record, null, 2)}\n`);
      this.#lastAttempt = record.ok ? null : { at: startedAt, error: `integrity_check: ${record.integrity}` };
      this.#logger[record.ok ? 'info' : 'error']({ backup: name, kind, bytes: record.bytes, integrity: record.integrity, ms: record.finished_at - startedAt }, 'backup taken');
      this.#prune();
      this.#listener.onBackup?.(record);
      return record;
    } catch (error) {
      rmSync(partial, { force: true });
      this.#lastAttempt = { at: startedAt, error: (error as Error).message };
      this.#logger.error({ err: error, kind, dir }, 'backup failed');
      throw error;
    }
  }

  /** Newest first, from the manifests in the folder. */
  list(): BackupRecord[] {
    const dir = this.#options.dir;
    if (!existsSync(dir)) return [];
    const records: BackupRecord[] = [];
    for (const entry of readdirSync(dir)) {
      if (!entry.endsWith(`.sqlite${MANIFEST}`)) continue;
      try {
        const record = JSON.parse(readFileSync(join(dir, entry), 'utf8')) as BackupRecord;
        if (existsSync(join(dir, record.file))) records.push(record);
      } catch {
        // A manifest being written or damaged: not a backup anyone can rely on.
      }
    }
    return records.sort((a, b) => b.started_at - a.started_at);
  }

  lastGood(): BackupRecord | null {
    return this.list().find((r) => r.ok) ?? null;
  }

  /** The last failure, if no backup succeeded since (for health). */
  get lastFailure(): { at: number; error: string } | null {
    return this.#lastAttempt;
  }

  #prune(): void {
    const all = this.list();
    const keepOf = (kind: BackupKind) => (kind === 'nightly' ? this.#options.keepNightly : this.#options.keep);
    const seen = new Map<string, number>();
    for (const record of all) {
      const group = record.kind === 'nightly' ? 'nightly' : 'periodic';
      const n = (seen.get(group) ?? 0) + 1;
      seen.set(group, n);
      if (n > keepOf(record.kind)) {
        rmSync(join(this.#options.dir, record.file), { force: true });
        rmSync(join(this.#options.dir, `${record.file}${MANIFEST}`), { force: true });
      }
    }
  }
}

export type BackupCheck = Readonly<{ integrity: string; tickets: number | null; migrations: string[] }>;

/**
 * Opens a backup read-only in a worker thread and runs `PRAGMA integrity_check` (plus a ticket
 * count and the migrations it has). The worker is plain JavaScript evaluated from a string, so it
 * needs no TypeScript loader in the packaged app.
 */
export function verifyBackupFile(file: string): Promise<BackupCheck> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    let result;
    try {
      const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
      try {
        const rows = db.pragma('integrity_check');
        const integrity = rows.map((r) => r.integrity_check).join('; ');
        let tickets = null;
        let migrations = [];
        try { tickets = db.prepare('SELECT count(*) FROM ticket').pluck().get(); } catch {}
        try { migrations = db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all(); } catch {}
        result = { integrity, tickets, migrations };
      } finally { db.close(); }
    } catch (error) {
      result = { integrity: 'unreadable: ' + error.message, tickets: null, migrations: [] };
    }
    parentPort.postMessage(result);
  `;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { file, driver } });
    worker.once('message', (message: BackupCheck) => resolve(message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`backup verification exited with ${code}`));
    });
  });
}

