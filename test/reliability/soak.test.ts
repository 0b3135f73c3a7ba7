import { describe, expect, it } from 'vitest';
import { printReport, runSoak } from '../soak/soak.ts';

/**
 * `npm run soak` for 60 s (its default is 10 minutes): the real server process at a sustained rush
 * of 1,000 tickets a minute from 10 kiosks, 50 agents calling and closing, 200 displays acknowledging
 * every call. Every ticket answered 201 is served exactly once and is in the database, every display
 * shows every call of its queues once and in order, every ack is recorded, nothing errs, and memory
 * does not keep growing once warm. Latencies are printed, not asserted (they belong to the bench).
 */
describe('soak', () => {
  it('serves a 60 s rush without an error, a lost or duplicated ticket or event, or growing memory', async () => {
    const lines: string[] = [];
    // The line left when the kiosks stop is served within moments on a quiet machine; the generous drain
    // allowance keeps this a test of correctness, not of how busy the machine running it is.
    const report = await runSoak({ seconds: 60, ticketsPerMinute: 1_000, agents: 50, kiosks: 10, displays: 200, drainSeconds: 240, log: (line) => lines.push(line) });
    printReport(report, (line) => lines.push(line));
    console.log(lines.join('\n'));
    expect(report.errors).toEqual([]);
    // The rush really happened: about 1,000 tickets issued (open loop) and every one of them served.
    expect(report.issued).toBeGreaterThanOrEqual(950);
    expect(report.called).toBe(report.issued);
    expect(report.closed).toBe(report.issued);
    expect(report.displayCalls).toBeGreaterThan(report.called);
    expect(report.acks).toBe(report.displayCalls);
  }, 420_000);
});
