import { qb, type Db } from '../db/sqlite.ts';
import type { JobRow } from '../db/tables/job.table.ts';
import { uuidv7 } from '../ids.ts';
import type { Logger } from 'pino';
import { reportFailure } from '../ops/logger.ts';

/** What a handler decided. A thrown error counts as `retry`. */
export type JobOutcome =
  | Readonly<{ kind: 'done' }>
  /** Failed this time: try again after a backoff; `failed` once max_attempts is reached. */
  | Readonly<{ kind: 'retry'; error: string; delayMs?: number }>
  /** Not an attempt: come back later (a printer out of paper), without using up the attempts. */
  | Readonly<{ kind: 'wait'; reason: string; delayMs: number }>
  | Readonly<{ kind: 'fail'; error: string }>;

export type ClaimedJob = Readonly<{ id: string; type: string; payload: unknown; attempts: number; maxAttempts: number; createdAt: number }>;
export type JobHandler = (job: ClaimedJob) => Promise<JobOutcome>;

export type NewJob = Readonly<{ type: string; payload: unknown; orderingKey?: string | null; runAt?: number; maxAttempts?: number }>;

/** Queues a job. Call it inside the transaction of the change that needs it, so both commit or neither. */
export function enqueueJob(db: Db, job: NewJob, now: number): string {
  const id = uuidv7(now);
  db.run(qb.insertInto('job').values({
    id, type: job.type, payload: JSON.stringify(job.payload ?? {}), status: 'pending', run_at: job.runAt ?? now,
    attempts: 0, max_attempts: job.maxAttempts ?? 5, locked_until: null, last_error: '', ordering_key: job.orderingKey ?? null,
    created_at: now, updated_at: now,
  }));
  return id;
}

export type RunnerOptions = Readonly<{
  /** Longest sleep between looks at the table (a nudge wakes it at once). */
  pollMs: number;
  /** A claimed job not finished by then is considered abandoned and claimed again. */
  leaseMs: number;
  concurrency: number;
  /** Delay before retry n (1-based): base × 2^(n-1), capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The server's logger (failures of the runner itself); stderr without one. */
  logger?: Logger;
}>;

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = { pollMs: 1000, leaseMs: 120_000, concurrency: 4, backoffBaseMs: 1000, backoffMaxMs: 5 * 60_000 };

/**
 * The durable job runner over the `job` table. Jobs survive a restart: a job left `running` by a
 * process that died is claimed again (at start, or when its lease runs out). Jobs sharing an
 * `ordering_key` run one at a time in id order — the head of the line blocks the rest, so a
 * printer's tickets never come out of order. Handlers run outside any transaction (**Important**:
 * never hold `db.tx` across an await), and only this process owns the SQLite file.
 */
export class JobRunner {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #handlers: ReadonlyMap<string, JobHandler>;
  readonly #options: RunnerOptions;
  readonly #inFlight = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(db: Db, now: () => number, handlers: Readonly<Record<string, JobHandler>>, options: Partial<RunnerOptions> = {}) {
    this.#db = db;
    this.#now = now;
    this.#handlers = new Map(Object.entries(handlers));
    this.#options = { ...DEFAULT_RUNNER_OPTIONS, ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    // One process owns the database: anything still `running` of this runner's types belongs to a
    // process that is gone (another runner of the same process keeps its own jobs).
    const types = [...this.#handlers.keys()];
    if (types.length > 0) this.#db.run(qb.updateTable('job').set({ status: 'pending', locked_until: null }).where('status', '=', 'running').where('type', 'in', types));
    this.nudge();
  }

  /** Looks at the table now (after a job was queued). */
  nudge(): void {
    if (!this.#running) return;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** Jobs claimed and not finished yet (for tests and health). */
  get busy(): number {
    return this.#inFlight.size;
  }

  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), delayMs);
    this.#timer.unref?.();
  }

  #tick(): void {
    this.#timer = null;
    if (!this.#running) return;
    try {
      const free = this.#options.concurrency - this.#inFlight.size;
      for (const job of free > 0 ? this.#claim(free) : []) {
        const run = this.#run(job).finally(() => {
          this.#inFlight.delete(job.id);
          this.nudge();
        });
        this.#inFlight.set(job.id, run);
      }
    } catch (error) {
      reportFailure(this.#options.logger, 'job runner: claim failed', error);
    }
    if (this.#running && !this.#timer) this.#schedule(this.#nextWakeIn());
  }

  #claim(limit: number): JobRow[] {
    const now = this.#now();
    const types = [...this.#handlers.keys()];
    if (types.length === 0) return [];
    const placeholders = types.map(() => '?').join(', ');
    return this.#db.tx(() => {
      const due = this.#db.raw<JobRow>(
        `SELECT j.* FROM job j
         WHERE ((j.status = 'pending' AND j.run_at <= ?) OR (j.status = 'running' AND j.locked_until < ?))
           AND j.type IN (${placeholders})
           AND (j.ordering_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM job e WHERE e.ordering_key = j.ordering_key AND e.status IN ('pending', 'running') AND e.id < j.id))
         ORDER BY j.run_at, j.id LIMIT ?`,
        now, now, ...types, limit + this.#inFlight.size,
      ).filter((j) => !this.#inFlight.has(j.id)).slice(0, limit);
      for (const job of due) {
        job.attempts += 1;
        job.status = 'running';
        job.locked_until = now + this.#options.leaseMs;
        this.#db.run(qb.updateTable('job').set({ status: 'running', attempts: job.attempts, locked_until: job.locked_until, updated_at: now }).where('id', '=', job.id));
      }
      return due;
    });
  }

  async #run(job: JobRow): Promise<void> {
    const handler = this.#handlers.get(job.type)!;
    let outcome: JobOutcome;
    try {
      outcome = await handler({
        id: job.id, type: job.type, payload: JSON.parse(job.payload) as unknown, attempts: job.attempts, maxAttempts: job.max_attempts, createdAt: job.created_at,
      });
    } catch (error) {
      outcome = { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
    }
    const now = this.#now();
    const base = { locked_until: null, updated_at: now };
    switch (outcome.kind) {
      case 'done':
        this.#db.run(qb.updateTable('job').set({ ...base, status: 'done', last_error: '' }).where('id', '=', job.id));
        break;
      case 'fail':
        this.#db.run(qb.updateTable('job').set({ ...base, status: 'failed', last_error: outcome.error }).where('id', '=', job.id));
        break;
      case 'wait':
        this.#db.run(qb.updateTable('job').set({ ...base, status: 'pending', attempts: job.attempts - 1, run_at: now + outcome.delayMs, last_error: outcome.reason }).where('id', '=', job.id));
        break;
      case 'retry': {
        const exhausted = job.attempts >= job.max_attempts;
        const delay = outcome.delayMs ?? Math.min(this.#options.backoffMaxMs, this.#options.backoffBaseMs * 2 ** (job.attempts - 1));
        this.#db.run(qb.updateTable('job').set(exhausted
          ? { ...base, status: 'failed', last_error: outcome.error }
          : { ...base, status: 'pending', run_at: now + delay, last_error: outcome.error }).where('id', '=', job.id));
        break;
      }
    }
  }

  /** Sleeps until the next claimable job (a head of its line) is due, at most pollMs. */
  #nextWakeIn(): number {
    const types = [...this.#handlers.keys()];
    if (types.length === 0) return this.#options.pollMs;
    // Only its own types: a due job another runner handles must not make this one spin.
    const next = this.#db.raw<{ at: number | null }>(
      `SELECT MIN(j.run_at) AS at FROM job j WHERE j.status = 'pending' AND j.type IN (${types.map(() => '?').join(', ')})
         AND (j.ordering_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM job e WHERE e.ordering_key = j.ordering_key AND e.status IN ('pending', 'running') AND e.id < j.id))`,
      ...types,
    )[0]?.at;
    if (next === null || next === undefined) return this.#options.pollMs;
    return Math.max(10, Math.min(this.#options.pollMs, next - this.#now()));
  }
}
