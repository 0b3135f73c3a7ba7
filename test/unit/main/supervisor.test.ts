import { describe, expect, it } from 'vitest';
import { restartDelay, Supervisor, type ChildHandle } from '../../../main/supervisor.ts';

/** A child process double: the test decides when it dies. */
class FakeChild implements ChildHandle {
  killed = false;
  #exit: ((code: number | null) => void) | null = null;
  onExit(listener: (code: number | null) => void) { this.#exit = listener; }
  onMessage() {}
  postMessage() {}
  kill() { this.killed = true; this.#exit?.(null); }
  die(code: number | null) { this.#exit?.(code); }
}

/** A manual clock and timer queue. */
function harness(options: { fatal?: number[] } = {}) {
  let now = 0;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const children: FakeChild[] = [];
  const crashes: { failures: number; restartInMs: number }[] = [];
  const fatal: number[] = [];
  const supervisor = new Supervisor({
    spawn: () => {
      const child = new FakeChild();
      children.push(child);
      return child;
    },
    now: () => now,
    setTimer: (fn, ms) => {
      const timer = { at: now + ms, fn, cancelled: false };
      timers.push(timer);
      return { cancel: () => { timer.cancelled = true; } };
    },
    policy: { initialMs: 1_000, maxMs: 8_000, stableAfterMs: 30_000 },
    fatalExitCodes: options.fatal ?? [],
    onFatal: (code) => fatal.push(code),
    onCrash: (c) => crashes.push({ failures: c.failures, restartInMs: c.restartInMs }),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => !x.cancelled && x.at <= now)) {
      t.cancelled = true;
      t.fn();
    }
  };
  return { supervisor, children, crashes, fatal, advance, pending: () => timers.filter((t) => !t.cancelled).length };
}

describe('supervisor', () => {
  it('doubles the delay between restarts up to the cap', () => {
    const policy = { initialMs: 1_000, maxMs: 8_000, stableAfterMs: 30_000 };
    expect([1, 2, 3, 4, 5, 50].map((n) => restartDelay(n, policy))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('restarts a child that dies, waiting longer after each crash in a row', () => {
    const h = harness();
    h.supervisor.start();
    expect(h.children).toHaveLength(1);
    for (const expected of [1_000, 2_000, 4_000, 8_000, 8_000]) {
      h.children.at(-1)!.die(1);
      expect(h.supervisor.state).toBe('waiting');
      const before = h.children.length;
      h.advance(expected - 1);
      expect(h.children).toHaveLength(before); // not yet
      h.advance(1);
      expect(h.children).toHaveLength(before + 1);
    }
    expect(h.crashes.map((c) => c.restartInMs)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(h.supervisor.starts).toBe(6);
  });

  it('forgets past crashes once a child stayed up long enough', () => {
    const h = harness();
    h.supervisor.start();
    h.children[0]!.die(1);
    h.advance(1_000);
    h.children[1]!.die(1);
    h.advance(2_000);
    h.advance(60_000); // healthy for a minute
    h.children[2]!.die(1);
    expect(h.crashes.at(-1)).toEqual({ failures: 1, restartInMs: 1_000 });
  });

  it('does not restart a child it was told to stop, nor after stop()', () => {
    const h = harness();
    h.supervisor.start();
    h.supervisor.stop();
    expect(h.children[0]!.killed).toBe(true);
    expect(h.pending()).toBe(0);
    expect(h.supervisor.state).toBe('stopped');

    const g = harness();
    g.supervisor.start();
    g.children[0]!.die(1);
    g.supervisor.stop(); // while waiting to restart
    g.advance(60_000);
    expect(g.children).toHaveLength(1);
  });

  it('stops on an exit code that means restarting cannot help, and says so', () => {
    const h = harness({ fatal: [78] });
    h.supervisor.start();
    h.children[0]!.die(78);
    h.advance(60_000);
    expect(h.children).toHaveLength(1);
    expect(h.fatal).toEqual([78]);
    expect(h.supervisor.state).toBe('stopped');
  });
});
