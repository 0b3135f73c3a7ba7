import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../../hardware/print-agent/backoff.ts';
import { PrintJournal } from '../../../hardware/print-agent/print-journal.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sq-journal-'));
  dirs.push(dir);
  return dir;
};

describe('reconnection backoff', () => {
  it('doubles from the base up to the cap, jittered between half and all of it', () => {
    const backoff = { baseMs: 500, maxMs: 30_000 };
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, backoff, 1))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, backoff, 0))).toEqual([250, 500, 1000, 2000]);
    expect(reconnectDelay(20, backoff, 1)).toBe(30_000);
    expect(reconnectDelay(20, backoff, 0)).toBe(15_000);
  });
});

describe('printed-job journal', () => {
  it('remembers printed jobs across a restart of the agent', () => {
    const dir = tempDir();
    const first = new PrintJournal(dir);
    first.add('job-1');
    first.add('job-2');
    first.add('job-1');
    first.close();
    const again = new PrintJournal(dir);
    expect(again.has('job-1')).toBe(true);
    expect(again.has('job-2')).toBe(true);
    expect(again.has('job-3')).toBe(false);
    again.close();
    expect(readFileSync(join(dir, 'printed-jobs.log'), 'utf8')).toBe('job-1\njob-2\n');
  });

  it('keeps only the newest ids once it grows past twice its limit, on disk too', () => {
    const dir = tempDir();
    const journal = new PrintJournal(dir, 3);
    for (let i = 1; i <= 7; i++) journal.add(`job-${i}`);
    expect(['job-1', 'job-4', 'job-5', 'job-7'].map((id) => journal.has(id))).toEqual([false, false, true, true]);
    journal.add('job-8');
    journal.close();
    // Reopened, it loads the newest `limit` ids of the file.
    const reopened = new PrintJournal(dir, 3);
    expect(['job-4', 'job-5', 'job-6', 'job-7', 'job-8'].map((id) => reopened.has(id))).toEqual([false, false, true, true, true]);
    expect(readFileSync(join(dir, 'printed-jobs.log'), 'utf8')).toBe('job-5\njob-6\njob-7\njob-8\n');
    reopened.close();
  });
});
