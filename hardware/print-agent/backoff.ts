export type Backoff = Readonly<{ baseMs: number; maxMs: number }>;

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000 };

/**
 * PURE: how long to wait before reconnection attempt `attempt` (1 = the first after a drop):
 * exponential, capped, with "full jitter" (uniform in [cap/2, cap]) so the agents of a branch that
 * lost the server together do not all knock at the same instant when it comes back.
 */
export function reconnectDelay(attempt: number, backoff: Backoff, random: number): number {
  const cap = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + (cap / 2) * Math.min(1, Math.max(0, random)));
}
