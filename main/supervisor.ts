/** What the supervisor needs of a child process (Electron's UtilityProcess, or a Node child in tests). */
export interface ChildHandle {
  /** Called once, when the child is gone (crashed, killed or exited), with its exit code. */
  onExit(listener: (code: number | null) => void): void;
  /** Messages the child posts to its parent. */
  onMessage(listener: (message: unknown) => void): void;
  postMessage(message: unknown): void;
  kill(): void;
}

export type BackoffPolicy = Readonly<{
  /** Delay before the first restart. */
  initialMs: number;
  /** Upper bound of the delay. */
  maxMs: number;
  /** A child that stayed up this long is healthy: the next crash restarts after `initialMs` again. */
  stableAfterMs: number;
}>;

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, stableAfterMs: 60_000 };

/** Delay before restart number `failures` (1 = first crash in a row): doubling, capped. */
export function restartDelay(failures: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(exponent, 30));
}

export type SupervisorDeps = Readonly<{
  spawn(): ChildHandle;
  now(): number;
  setTimer(fn: () => void, ms: number): { cancel(): void };
  policy?: BackoffPolicy;
  /** Told about each unexpected exit and the restart it scheduled (logged by main). */
  onCrash?(info: Readonly<{ code: number | null; failures: number; restartInMs: number }>): void;
  /**
   * Exit codes meaning "restarting cannot help" (bad configuration, a database from a newer version):
   * the supervisor stops and reports instead of retrying forever.
   */
  fatalExitCodes?: readonly number[];
  onFatal?(code: number): void;
  /** Each time a child is started (first start and restarts). */
  onStart?(child: ChildHandle): void;
}>;

export type SupervisorState = 'stopped' | 'running' | 'waiting';

/**
 * Keeps one child running (the branch server in an Electron utilityProcess): restarts it when it dies,
 * waiting `restartDelay` between attempts so a server that cannot start (disk full, a database from a
 * newer version) does not spin. `stop()` ends it for good.
 */
export class Supervisor {
  readonly #deps: SupervisorDeps;
  readonly #policy: BackoffPolicy;
  #child: ChildHandle | null = null;
  #startedAt = 0;
  #failures = 0;
  #timer: { cancel(): void } | null = null;
  #stopped = true;
  #starts = 0;

  constructor(deps: SupervisorDeps) {
    this.#deps = deps;
    this.#policy = deps.policy ?? DEFAULT_BACKOFF;
  }

  get state(): SupervisorState {
    if (this.#stopped) return 'stopped';
    return this.#child ? 'running' : 'waiting';
  }

  /** How many times a child was started (1 + restarts). */
  get starts(): number {
    return this.#starts;
  }

  get child(): ChildHandle | null {
    return this.#child;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#launch();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    const child = this.#child;
    this.#child = null;
    child?.kill();
  }

  #launch(): void {
    this.#timer = null;
    if (this.#stopped) return;
    const child = this.#deps.spawn();
    this.#child = child;
    this.#startedAt = this.#deps.now();
    this.#starts += 1;
    let exited = false;
    child.onExit((code) => {
      if (exited) return;
      exited = true;
      this.#exited(child, code);
    });
    this.#deps.onStart?.(child);
  }

  #exited(child: ChildHandle, code: number | null): void {
    if (this.#child !== child) return; // a child we stopped on purpose
    this.#child = null;
    if (this.#stopped) return;
    if (code !== null && this.#deps.fatalExitCodes?.includes(code)) {
      this.#stopped = true;
      this.#deps.onFatal?.(code);
      return;
    }
    const upFor = this.#deps.now() - this.#startedAt;
    this.#failures = upFor >= this.#policy.stableAfterMs ? 1 : this.#failures + 1;
    const delay = restartDelay(this.#failures, this.#policy);
    this.#deps.onCrash?.({ code, failures: this.#failures, restartInMs: delay });
    this.#timer = this.#deps.setTimer(() => this.#launch(), delay);
  }
}
