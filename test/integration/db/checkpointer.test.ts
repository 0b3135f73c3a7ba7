import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackgroundCheckpointer, type CheckpointerOptions } from '../../../branch-server/db/checkpointer.ts';
import { openSqlite, type SqliteHandle } from '../../../branch-server/db/sqlite.ts';

/** Polls `check` until it holds (the worker answers on its own thread). */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Rows of `note` in the database file alone, the WAL left behind (what a checkpoint has copied in). */
function rowsInDatabaseFile(dir: string, file: string): number {
  const copy = join(dir, 'copy.sqlite');
  copyFileSync(file, copy);
  try {
    const db = new Database(copy, { readonly: true });
    try {
      return db.prepare('SELECT count(*) FROM note').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return -1; // copied while the worker was writing pages: look again
  }
}

/**
 * The WAL's state as SQLite's wal-index (`-shm`) holds it, read without checkpointing: pages in the
 * WAL (`mxFrame`, in the index header) and how many are copied into the database (`nBackfill`, at
 * the start of the checkpoint info after the header's two copies). Little-endian on this machine.
 */
function walIndex(file: string): { pages: number; copied: number } {
  const shm = readFileSync(`${file}-shm`);
  return { pages: shm.readUInt32LE(16), copied: shm.readUInt32LE(96) };
}

describe('WAL checkpoints on a worker thread', () => {
  let dir: string;
  let file: string;
  let sqlite: SqliteHandle;
  let checkpointer: BackgroundCheckpointer | null = null;
  let failures: Error[];

  const start = async (options: CheckpointerOptions = {}) => {
    checkpointer = BackgroundCheckpointer.start(sqlite, { onFailure: (error) => failures.push(error), ...options });
    await until(() => checkpointer!.stats().active, 'the worker to be ready');
    return checkpointer!;
  };
  /** One committed transaction per row, each row a page of its own. */
  const write = (n: number) => {
    const insert = sqlite.prepare('INSERT INTO note (body) VALUES (?)');
    for (let i = 0; i < n; i += 1) insert.run('x'.repeat(3000));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sq-checkpoint-'));
    file = join(dir, 'branch.sqlite');
    sqlite = openSqlite(file);
    sqlite.exec('CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    failures = [];
  });
  afterEach(async () => {
    await checkpointer?.stop();
    checkpointer = null;
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed pages into the database while the writer never checkpoints in a commit', async () => {
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const worker = await start({ intervalMs: 10 });
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

    write(200);
    await until(() => rowsInDatabaseFile(dir, file) === 200, 'the 200 rows to reach the database file');
    expect(worker.stats().checkpoints).toBeGreaterThan(0);
    expect(worker.stats().pagesBackfilled).toBeGreaterThanOrEqual(200);
    expect(failures).toEqual([]);
  });

  it('restarts the WAL from its start after a burst, so the file is reused instead of growing', async () => {
    await start({ intervalMs: 10 });
    write(300);
    expect(walIndex(file).pages).toBeGreaterThanOrEqual(300);
    await until(() => walIndex(file).copied === walIndex(file).pages, 'the worker to copy the whole WAL');

    write(1); // the first transaction after a full copy writes from the WAL's start
    expect(walIndex(file).pages).toBeLessThan(10);
    expect(sqlite.prepare('SELECT count(*) FROM note').pluck().get()).toBe(301);
  });

  it('has the writer copy the tail itself once a rush without pauses let the WAL outgrow its limit', async () => {
    const worker = await start({ intervalMs: 5, catchUpPages: 50 });
    // Never a pause long enough: a write between each look of the worker.
    const end = Date.now() + 10_000;
    while (worker.stats().catchUps === 0 && Date.now() < end) {
      write(20);
      await new Promise((r) => setImmediate(r));
    }
    expect(worker.stats().catchUps).toBeGreaterThan(0);
    // The next transactions start the WAL over (one may still find the worker reading an older
    // snapshot, which keeps the WAL in use for that moment).
    await until(() => {
      write(1);
      return walIndex(file).pages < 100;
    }, 'the WAL to restart after the catch-up', 2_000);
  });

  it('gives the checkpoints back to the writer when the worker dies, and says so', async () => {
    const worker = await start();
    await worker.crashWorkerForTest();
    await until(() => failures.length > 0, 'the failure to be reported');
    expect(failures[0]!.message).toMatch(/checkpoint worker exited/);
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(worker.stats().active).toBe(false);

    write(1_100); // past 1,000 pages the writer's own checkpoint runs and the WAL restarts
    write(1);
    expect(walIndex(file).pages).toBeLessThan(1_000);
  });

  it('hands checkpoints back to the writer when stopped, its own connection closed without touching the WAL', async () => {
    const worker = await start({ intervalMs: 10 });
    write(50);
    await worker.stop();
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    write(50);
    expect(sqlite.prepare('SELECT count(*) FROM note').pluck().get()).toBe(100);
    sqlite.close();
    sqlite = openSqlite(file);
    expect(sqlite.prepare('SELECT count(*) FROM note').pluck().get()).toBe(100);
    expect(failures).toEqual([]);
  });

  it('does nothing for a database in memory (it has no WAL)', () => {
    const memory = openSqlite(':memory:');
    try {
      expect(BackgroundCheckpointer.start(memory)).toBeNull();
    } finally {
      memory.close();
    }
  });
});
