import type { Logger } from 'pino';
import { getSyncState, setSyncState } from '../db/repositories/sync-state.repository.ts';
import type { Db } from '../db/sqlite.ts';
import type { BranchMetrics } from '../ops/metrics.ts';
import { runRetention, type RetentionRun } from '../use-cases/retention.ts';

/**
 * Runs the retention (use-cases/retention.ts) once a night: the first look after `hour` (local time)
 * on a day it has not run yet. The day it last ran is stored, so a restart does not run it twice.
 */
export class RetentionScheduler {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #metrics: BranchMetrics;
  readonly #hour: number | null;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<RetentionRun[] | null> | null = null;

  constructor(db: Db, now: () => number, logger: Logger, metrics: BranchMetrics, hour: number | null) {
    this.#db = db;
    this.#now = now;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#hour = hour;
  }

  start(checkEveryMs = 10 * 60_000): void {
    if (this.#hour === null || this.#timer) return;
    this.#timer = setInterval(() => void this.runIfDue(), checkEveryMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Runs when due (a new local day, past the hour); null when not due or already running. */
  runIfDue(): Promise<RetentionRun[] | null> {
    if (this.#hour === null || this.#running) return Promise.resolve(null);
    const now = new Date(this.#now());
    const day = `${now.getFullYear()}-${now.getMonth() + 1}-${now.getDate()}`;
    if (now.getHours() < this.#hour || getSyncState(this.#db, 'retention_last_day') === day) return Promise.resolve(null);
    this.#running = this.#run(day).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(day: string): Promise<RetentionRun[] | null> {
    try {
      const runs = await runRetention(this.#db, this.#now());
      this.#db.tx(() => setSyncState(this.#db, 'retention_last_day', day));
      for (const run of runs) {
        for (const [table, n] of Object.entries(run.counts)) if (n > 0) this.#metrics.retentionRows.inc({ table }, n);
        this.#logger.info({ tenant_id: run.tenant_id, retention_days: run.retention_days, ...run.counts }, 'retention applied');
      }
      return runs;
    } catch (error) {
      this.#logger.error({ err: error }, 'retention failed');
      return null;
    }
  }
}
