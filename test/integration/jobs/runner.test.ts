import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../../branch-server/db/migrate.ts';
import { Db, openSqlite, qb } from '../../../branch-server/db/sqlite.ts';
import { enqueueJob, JobRunner, type ClaimedJob, type JobOutcome } from '../../../branch-server/jobs/runner.ts';

let dir: string;
let db: Db;
const runners: JobRunner[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sq-jobs-'));
  db = await openDb();
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openDb(): Promise<Db> {
  const sqlite = openSqlite(join(dir, 'branch.sqlite'));
  await migrateToLatest(sqlite);
  return new Db(sqlite);
}

function runner(on: Db, handlers: Record<string, (job: ClaimedJob) => Promise<JobOutcome>>, options = {}): JobRunner {
  const r = new JobRunner(on, Date.now, handlers, { pollMs: 30, backoffBaseMs: 20, ...options });
  runners.push(r);
  r.start();
  return r;
}

const jobRow = (id: string) => db.first(qb.selectFrom('job').selectAll().where('id', '=', id))!;

async function until(ok: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('JobRunner (durable, over the job table)', () => {
  it('runs a queued job with its payload and marks it done', async () => {
    const seen: unknown[] = [];
    const id = db.tx(() => enqueueJob(db, { type: 'mail', payload: { to: 'a@b.c' } }, Date.now()));
    runner(db, { mail: async (job) => (seen.push(job.payload), { kind: 'done' }) });
    await until(() => jobRow(id).status === 'done');
    expect(seen).toEqual([{ to: 'a@b.c' }]);
    expect(jobRow(id)).toMatchObject({ attempts: 1, locked_until: null, last_error: '' });
  });

  it('retries a failing job with growing delays, then marks it failed with the last error', async () => {
    const times: number[] = [];
    const id = db.tx(() => enqueueJob(db, { type: 'flaky', payload: {}, maxAttempts: 3 }, Date.now()));
    runner(db, { flaky: async (job) => {
      times.push(Date.now());
      throw new Error(`boom ${job.attempts}`);
    } });
    await until(() => jobRow(id).status === 'failed');
    expect(jobRow(id)).toMatchObject({ attempts: 3, last_error: 'boom 3' });
    expect(times).toHaveLength(3);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(times[1]! - times[0]!); // 20 ms, then 40 ms
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(35);
  });

  it('keeps one line per ordering key: a waiting head holds back its line, not the others, and waiting uses no attempts', async () => {
    let ready = false;
    const order: string[] = [];
    const now = Date.now();
    const [a1, a2, b1] = db.tx(() => [
      enqueueJob(db, { type: 'p', payload: { n: 'a1' }, orderingKey: 'printer:a', maxAttempts: 1 }, now),
      enqueueJob(db, { type: 'p', payload: { n: 'a2' }, orderingKey: 'printer:a' }, now),
      enqueueJob(db, { type: 'p', payload: { n: 'b1' }, orderingKey: 'printer:b' }, now),
    ]);
    runner(db, { p: async (job) => {
      const n = (job.payload as { n: string }).n;
      if (n === 'a1' && !ready) return { kind: 'wait', reason: 'paper out', delayMs: 20 };
      order.push(n);
      return { kind: 'done' };
    } });
    await until(() => jobRow(b1!).status === 'done');
    await new Promise((r) => setTimeout(r, 150));
    expect(order).toEqual(['b1']);
    expect(jobRow(a1!)).toMatchObject({ status: 'pending', attempts: 0, last_error: 'paper out' });
    expect(jobRow(a2!).status).toBe('pending');
    ready = true;
    await until(() => jobRow(a2!).status === 'done');
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it('runs again, after a restart, a job the previous process claimed and never finished', async () => {
    const id = db.tx(() => enqueueJob(db, { type: 'print', payload: {} }, Date.now()));
    // A process claimed it and died: status running, a lease far in the future.
    db.run(qb.updateTable('job').set({ status: 'running', attempts: 1, locked_until: Date.now() + 3_600_000 }).where('id', '=', id));
    db.close();
    db = await openDb();
    let runs = 0;
    runner(db, { print: async () => (runs++, { kind: 'done' }) });
    await until(() => jobRow(id).status === 'done');
    expect(runs).toBe(1);
    expect(jobRow(id).attempts).toBe(2);
  });

  it('takes back a job whose lease ran out while running (a handler that hung)', async () => {
    const r = runner(db, { slow: async () => ({ kind: 'done' }) });
    // Claimed by a handler that never returned: running, its lease already over.
    const id = db.tx(() => enqueueJob(db, { type: 'slow', payload: {}, runAt: Date.now() + 3_600_000 }, Date.now()));
    db.run(qb.updateTable('job').set({ status: 'running', attempts: 1, locked_until: Date.now() - 1 }).where('id', '=', id));
    r.nudge();
    await until(() => jobRow(id).status === 'done');
    expect(jobRow(id).attempts).toBe(2);
  });
});
