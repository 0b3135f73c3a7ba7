import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from '../../../branch-server/http/rate-limit.ts';

describe('LoginRateLimiter', () => {
  const limits = { perEmail: 3, perAddress: 5, windowMs: 60_000 };

  it('blocks an account after its failures and says how long to wait', () => {
    const limiter = new LoginRateLimiter(limits);
    for (let i = 0; i < 3; i += 1) limiter.fail('a@x', '10.0.0.1', 1_000 * i);
    // The oldest counted failure (t=0) leaves the window at t=60 s.
    expect(limiter.retryAfter('a@x', '10.0.0.2', 3_000)).toBe(57);
    expect(limiter.retryAfter('b@x', '10.0.0.1', 3_000)).toBe(0);
  });

  it('blocks an address that tries many accounts, but later than one account', () => {
    const limiter = new LoginRateLimiter(limits);
    for (let i = 0; i < 5; i += 1) limiter.fail(`user${i}@x`, '10.0.0.9', 0);
    expect(limiter.retryAfter('fresh@x', '10.0.0.9', 1_000)).toBe(59);
    expect(limiter.retryAfter('fresh@x', '10.0.0.8', 1_000)).toBe(0);
  });

  it('forgets failures once they leave the window, and on success for that account', () => {
    const limiter = new LoginRateLimiter(limits);
    for (let i = 0; i < 3; i += 1) limiter.fail('a@x', '10.0.0.1', 0);
    expect(limiter.retryAfter('a@x', '10.0.0.1', 60_000)).toBe(0);
    for (let i = 0; i < 3; i += 1) limiter.fail('c@x', '10.0.0.3', 0);
    limiter.succeed('c@x');
    expect(limiter.retryAfter('c@x', '10.0.0.4', 1)).toBe(0);
  });
});
