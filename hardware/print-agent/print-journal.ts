import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** How many printed jobs are remembered: far more than can wait for one agent while it is away. */
export const JOURNAL_LIMIT = 5000;

/**
 * The print jobs this agent has printed, on disk (one id a line, fsynced before the job is
 * reported printed). **Important**: it is what makes a job print at most once when the branch
 * server sends it again because the answer was lost — the agent killed just after printing, or the
 * network cut. Only the newest `limit` ids are kept.
 */
export class PrintJournal {
  readonly #file: string;
  readonly #limit: number;
  readonly #ids: string[];
  readonly #known: Set<string>;
  #fd: number;

  constructor(dataDir: string, limit = JOURNAL_LIMIT) {
    this.#file = join(dataDir, 'printed-jobs.log');
    this.#limit = limit;
    this.#ids = existsSync(this.#file) ? readFileSync(this.#file, 'utf8').split('\n').filter((line) => line.length > 0).slice(-limit) : [];
    this.#known = new Set(this.#ids);
    this.#fd = openSync(this.#file, 'a', 0o600);
  }

  has(jobId: string): boolean {
    return this.#known.has(jobId);
  }

  /** Records a printed job durably (returns once it is on disk). */
  add(jobId: string): void {
    if (this.#known.has(jobId)) return;
    writeSync(this.#fd, `${jobId}\n`);
    fsyncSync(this.#fd);
    this.#ids.push(jobId);
    this.#known.add(jobId);
    if (this.#ids.length > 2 * this.#limit) this.#compact();
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** Rewrites the file with the newest ids only: a temporary file renamed over it, so a crash leaves one or the other. */
  #compact(): void {
    const keep = this.#ids.splice(0, this.#ids.length - this.#limit);
    for (const id of keep) this.#known.delete(id);
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, this.#ids.map((id) => `${id}\n`).join(''), { mode: 0o600, flush: true });
    closeSync(this.#fd);
    renameSync(tmp, this.#file);
    this.#fd = openSync(this.#file, 'a', 0o600);
  }
}
