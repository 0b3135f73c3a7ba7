import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteHandle } from './sqlite.ts';

/** SQLite's own default: the writer checkpoints once the WAL holds this many pages. */
const AUTOCHECKPOINT_PAGES = 1000;

export type CheckpointerOptions = Readonly<{
  /** Pause between two checkpoints (ms). */
  intervalMs?: number;
  /** The WAL file is cut back to this size when it restarts after a burst (bytes). */
  walSizeLimit?: number;
  /** WAL pages at which the writer is asked to finish a checkpoint itself (a rush that never pauses). */
  catchUpPages?: number;
  /** Reports the worker's failure; checkpoints have then gone back to the writer. */
  onFailure?: (error: Error) => void;
}>;

export const DEFAULT_CHECKPOINTER: Required<Omit<CheckpointerOptions, 'onFailure'>> = {
  intervalMs: 25, walSizeLimit: 64 * 1024 * 1024, catchUpPages: 4_000,
};

export type CheckpointStats = Readonly<{ checkpoints: number; pagesBackfilled: number; catchUps: number; active: boolean }>;

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'checkpoint'; log: number; copied: number }
  | { type: 'error'; message: string };

/**
 * WAL checkpoints on a worker thread, with its own connection, instead of inside a COMMIT on the
 * event loop. SQLite's automatic checkpoint runs in the commit that crosses 1,000 WAL pages: during a
 * rush that is every dozen ticket batches, and each one copies the pages into the database and
 * fsyncs it (4-6 ms, the largest stall of the server's loop). A PASSIVE checkpoint from another
 * connection does the same copy while the writer goes on committing.
 *
 * **Important**: the writer restarts the WAL from its start only when a transaction begins while the
 * WAL is wholly copied. A rush that never pauses could keep the WAL growing; past `catchUpPages`, the
 * writer copies the remaining pages itself (few: the worker did the rest). If the worker fails, the
 * writer's automatic checkpoints are turned back on.
 */
export class BackgroundCheckpointer {
  readonly #sqlite: SqliteHandle;
  readonly #worker: Worker;
  readonly #options: Required<Omit<CheckpointerOptions, 'onFailure'>> & Pick<CheckpointerOptions, 'onFailure'>;
  #checkpoints = 0;
  #pagesBackfilled = 0;
  #catchUps = 0;
  #active = false;
  #stopping: Promise<void> | null = null;

  private constructor(sqlite: SqliteHandle, options: CheckpointerOptions) {
    this.#sqlite = sqlite;
    this.#options = { ...DEFAULT_CHECKPOINTER, ...options };
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_CODE, { eval: true, workerData: { file: sqlite.name, driver, intervalMs: this.#options.intervalMs } });
    // Never what keeps the process running: a checkpoint cut short is finished by the next one.
    this.#worker.unref();
    this.#worker.on('message', (message: WorkerMessage) => this.#onMessage(message));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (this.#stopping === null) this.#fail(new Error(`the checkpoint worker exited with code ${code}`));
    });
  }

  /** Starts checkpointing `sqlite`'s file in the background (a database in memory has no WAL: null). */
  static start(sqlite: SqliteHandle, options: CheckpointerOptions = {}): BackgroundCheckpointer | null {
    if (sqlite.memory || sqlite.pragma('journal_mode', { simple: true }) !== 'wal') return null;
    return new BackgroundCheckpointer(sqlite, options);
  }

  stats(): CheckpointStats {
    return { checkpoints: this.#checkpoints, pagesBackfilled: this.#pagesBackfilled, catchUps: this.#catchUps, active: this.#active };
  }

  #onMessage(message: WorkerMessage): void {
    if (message.type === 'ready') {
      if (this.#stopping !== null || !this.#sqlite.open) return;
      // From now on the writer's commits never checkpoint (the worker does).
      this.#sqlite.pragma('wal_autocheckpoint = 0');
      this.#sqlite.pragma(`journal_size_limit = ${this.#options.walSizeLimit}`);
      this.#active = true;
    } else if (message.type === 'checkpoint') {
      this.#checkpoints += 1;
      this.#pagesBackfilled += message.copied;
      if (message.log >= this.#options.catchUpPages && this.#sqlite.open && !this.#sqlite.inTransaction) {
        // The WAL outgrew the rush's pauses: copy its tail here, so the next transaction restarts it.
        this.#catchUps += 1;
        this.#sqlite.pragma('wal_checkpoint(PASSIVE)');
      }
    } else if (message.type === 'error') {
      this.#fail(new Error(`background checkpoint failed: ${message.message}`));
    }
  }

  #fail(error: Error): void {
    if (this.#stopping !== null) return;
    this.#stopping = this.#worker.terminate().then(() => undefined, () => undefined);
    this.#handBack();
    this.#options.onFailure?.(error);
  }

  /** Stops the worker and closes its connection; the writer checkpoints on its own again. */
  stop(): Promise<void> {
    this.#stopping ??= new Promise<void>((resolve) => {
      this.#worker.once('exit', () => resolve());
      this.#worker.postMessage('stop');
    });
    this.#handBack();
    return this.#stopping;
  }

  /** The writer's own automatic checkpoints, as SQLite has them by default. */
  #handBack(): void {
    if (this.#sqlite.open) this.#sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.#active = false;
  }

  /** For tests: the worker dies as a crash would end it. */
  crashWorkerForTest(): Promise<number> {
    return this.#worker.terminate();
  }
}

/**
 * The worker, plain JavaScript evaluated from a string (no TypeScript loader in the packaged app).
 * busy_timeout 0: a checkpoint never waits; PASSIVE copies what no reader still needs and returns.
 */
const WORKER_CODE = `
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.driver);
  let db;
  let timer = null;
  let stopping = false;
  let last = { log: 0, checkpointed: 0 };
  try {
    db = new Database(workerData.file, { fileMustExist: true });
    db.pragma('busy_timeout = 0');
    db.pragma('synchronous = FULL');
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: error.message });
    process.exit(1);
  }
  const tick = () => {
    timer = null;
    if (stopping) return;
    try {
      // log: pages in the WAL; checkpointed: how many of them are copied into the database.
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      if (result && result.checkpointed > 0 && (result.log !== last.log || result.checkpointed !== last.checkpointed)) {
        // A WAL that restarted since the last look counts from its start.
        const copied = result.log < last.log || result.checkpointed < last.checkpointed ? result.checkpointed : result.checkpointed - last.checkpointed;
        parentPort.postMessage({ type: 'checkpoint', log: result.log, copied });
      }
      if (result) last = result;
    } catch (error) {
      if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') {
        parentPort.postMessage({ type: 'error', message: error.message });
        return;
      }
    }
    timer = setTimeout(tick, workerData.intervalMs);
  };
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    stopping = true;
    if (timer) clearTimeout(timer);
    db.close();
    process.exit(0);
  });
  parentPort.postMessage({ type: 'ready' });
  tick();
`;
