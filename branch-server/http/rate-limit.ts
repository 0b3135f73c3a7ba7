export type LoginLimits = Readonly<{ perEmail: number; perAddress: number; windowMs: number }>;

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perEmail: 10, perAddress: 30, windowMs: 15 * 60_000 };

/**
 * Login throttling in a sliding window: at most `perEmail` failed attempts per account and
 * `perAddress` per client address (higher: several counter PCs may share one address behind NAT).
 * A success clears the account's counter. In memory: the appliance is one process, and a restart
 * forgetting counters is acceptable.
 */
export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #limits: LoginLimits;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.#limits = limits;
  }

  /** Seconds to wait before trying again, or 0 when allowed. */
  retryAfter(email: string, address: string, now: number): number {
    return Math.max(this.#wait(`email:${email}`, this.#limits.perEmail, now), this.#wait(`ip:${address}`, this.#limits.perAddress, now));
  }

  fail(email: string, address: string, now: number): void {
    for (const key of [`email:${email}`, `ip:${address}`]) this.#failures.set(key, [...this.#recent(key, now), now]);
    if (this.#failures.size > 50_000) this.#prune(now);
  }

  succeed(email: string): void {
    this.#failures.delete(`email:${email}`);
  }

  #wait(key: string, max: number, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length < max) return 0;
    const oldestCounted = recent[recent.length - max] ?? now;
    return Math.max(1, Math.ceil((oldestCounted + this.#limits.windowMs - now) / 1000));
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => now - t < this.#limits.windowMs);
  }

  #prune(now: number): void {
    for (const [key, times] of this.#failures) {
      if (times.every((t) => now - t >= this.#limits.windowMs)) this.#failures.delete(key);
    }
  }
}

export type WindowLimit = Readonly<{ max: number; windowMs: number }>;

/** The public pages' budgets per client address: reads, and bookings or joins. */
export const DEFAULT_PUBLIC_LIMITS: Readonly<{ read: WindowLimit; write: WindowLimit }> = {
  read: { max: 120, windowMs: 60_000 },
  write: { max: 10, windowMs: 60_000 },
};

/**
 * A sliding-window request budget per key (client address), for the unauthenticated booking and
 * remote-join pages. In memory, like the login limiter.
 */
export class WindowRateLimiter {
  readonly #hits = new Map<string, number[]>();
  readonly #limit: WindowLimit;

  constructor(limit: WindowLimit) {
    this.#limit = limit;
  }

  /** Counts a request; seconds to wait when over budget (the request is then not counted), else 0. */
  hit(key: string, now: number): number {
    const recent = (this.#hits.get(key) ?? []).filter((t) => now - t < this.#limit.windowMs);
    if (recent.length >= this.#limit.max) {
      this.#hits.set(key, recent);
      return Math.max(1, Math.ceil((recent[recent.length - this.#limit.max]! + this.#limit.windowMs - now) / 1000));
    }
    recent.push(now);
    this.#hits.set(key, recent);
    if (this.#hits.size > 50_000) {
      for (const [k, times] of this.#hits) if (times.every((t) => now - t >= this.#limit.windowMs)) this.#hits.delete(k);
    }
    return 0;
  }
}
