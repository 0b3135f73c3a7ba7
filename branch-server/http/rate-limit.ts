/**
 * Login throttling: at most `maxFailures` failed attempts per key (e-mail and client address, counted
 * separately) in a sliding window. A success clears the e-mail's counter. In memory: the appliance is
 * one process, and a restart forgetting counters is acceptable.
 */
export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #maxFailures: number;
  readonly #windowMs: number;

  constructor(maxFailures = 10, windowMs = 15 * 60_000) {
    this.#maxFailures = maxFailures;
    this.#windowMs = windowMs;
  }

  /** Seconds to wait before trying again, or 0 when allowed. */
  retryAfter(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.#recent(key, now);
      if (recent.length >= this.#maxFailures) {
        wait = Math.max(wait, Math.ceil(((recent[0] ?? now) + this.#windowMs - now) / 1000));
      }
    }
    return wait;
  }

  fail(keys: readonly string[], now: number): void {
    for (const key of keys) this.#failures.set(key, [...this.#recent(key, now), now]);
    if (this.#failures.size > 50_000) this.#prune(now);
  }

  succeed(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => now - t < this.#windowMs);
  }

  #prune(now: number): void {
    for (const [key, times] of this.#failures) {
      if (times.every((t) => now - t >= this.#windowMs)) this.#failures.delete(key);
    }
  }
}
