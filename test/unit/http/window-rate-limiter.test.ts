import { describe, expect, it } from 'vitest';
import { WindowRateLimiter } from '../../../branch-server/http/rate-limit.ts';

describe('public pages rate limit (per client address, sliding window)', () => {
  it('allows the budget, then answers the seconds to wait, and frees a place as the window slides', () => {
    const limiter = new WindowRateLimiter({ max: 3, windowMs: 60_000 });
    const t0 = 1_000_000;
    expect([limiter.hit('a', t0), limiter.hit('a', t0 + 1000), limiter.hit('a', t0 + 2000)]).toEqual([0, 0, 0]);
    expect(limiter.hit('a', t0 + 3000)).toBe(57);
    expect(limiter.hit('b', t0 + 3000)).toBe(0); // another address has its own budget
    expect(limiter.hit('a', t0 + 59_999)).toBe(1);
    expect(limiter.hit('a', t0 + 60_000)).toBe(0); // the first request left the window
    expect(limiter.hit('a', t0 + 60_001)).toBeGreaterThan(0);
  });
});
