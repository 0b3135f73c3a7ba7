import { DomainError } from './errors.ts';
import type { TicketId } from './ids.ts';

/** Service time assumed when a queue has no history yet. */
export const DEFAULT_SERVICE_SECONDS = 300;
export const DEFAULT_EWMA_ALPHA = 0.3;

export type EtaModel = Readonly<{
  /** Agents currently serving the queue; 0 is treated as 1 (the estimate assumes someone will serve). */
  activeAgents: number;
  /** EWMA of recent service times for the queue, null without history. */
  ewmaServiceSeconds: number | null;
  /** p90 of recent service times, null without history. */
  p90ServiceSeconds: number | null;
  defaultServiceSeconds?: number;
}>;

export type EtaInput = EtaModel & Readonly<{ positionAhead: number }>;

export type Eta = Readonly<{ etaSeconds: number; etaP90Seconds: number }>;

/** `position` is the customer-facing place in line (1 = called next); `ahead` = position − 1. */
export type TicketEta = Readonly<{ position: number; ahead: number; etaSeconds: number; etaP90Seconds: number }>;

function invalid(message: string, details: unknown): DomainError {
  return new DomainError('validation-failed', message, details);
}

function isNonNegative(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/** Exponentially weighted moving average; the first sample starts the average. */
export function ewma(prev: number | null, sample: number, alpha: number = DEFAULT_EWMA_ALPHA): number {
  if (!Number.isFinite(sample)) throw invalid('An EWMA sample must be a finite number.', { sample });
  if (!(alpha > 0 && alpha <= 1)) throw invalid('EWMA alpha must be in (0, 1].', { alpha });
  if (prev === null) return sample;
  if (!Number.isFinite(prev)) throw invalid('The previous EWMA must be a finite number.', { prev });
  return alpha * sample + (1 - alpha) * prev;
}

/** Nearest-rank percentile (p in 0..100): the smallest sample with at least p% of samples at or below it; null when empty. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw invalid('A percentile must be between 0 and 100.', { p });
  if (samples.some((s) => !Number.isFinite(s))) throw invalid('Percentile samples must be finite numbers.', { samples });
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  // p * n / 100 rather than p / 100 * n: 0.7 * 10 is 7.000000000000001 in floating point.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1] ?? null;
}

function serviceTimes(model: EtaModel): { mean: number; p90: number; agents: number } {
  const fallback = model.defaultServiceSeconds ?? DEFAULT_SERVICE_SECONDS;
  if (!(Number.isFinite(fallback) && fallback > 0)) throw invalid('The default service time must be positive.', { defaultServiceSeconds: fallback });
  if (!isNonNegative(model.activeAgents)) throw invalid('Active agents must be a non-negative number.', { activeAgents: model.activeAgents });
  for (const value of [model.ewmaServiceSeconds, model.p90ServiceSeconds]) {
    if (value !== null && !isNonNegative(value)) throw invalid('Service times must be non-negative numbers.', model);
  }
  const mean = model.ewmaServiceSeconds ?? fallback;
  return { mean, p90: model.p90ServiceSeconds ?? mean, agents: Math.max(1, Math.floor(model.activeAgents)) };
}

function etaFrom(positionAhead: number, times: { mean: number; p90: number; agents: number }): Eta {
  const rounds = positionAhead / times.agents;
  const etaSeconds = Math.round(rounds * times.mean);
  // The band never undercuts the estimate, even when a slow recent service pushed the EWMA above the p90.
  return { etaSeconds, etaP90Seconds: Math.max(etaSeconds, Math.round(rounds * times.p90)) };
}

/**
 * ETA = tickets ahead ÷ max(active agents, 1) × EWMA service time, rounded to whole seconds; the p90
 * band uses the p90 service time instead. Without history both use the default service time.
 */
export function estimateEta(input: EtaInput): Eta {
  if (!Number.isSafeInteger(input.positionAhead) || input.positionAhead < 0) {
    throw invalid('Position ahead must be a non-negative integer.', { positionAhead: input.positionAhead });
  }
  return etaFrom(input.positionAhead, serviceTimes(input));
}

/** ETAs for every waiting ticket of a queue, given in call order (e.g. `orderWaiting`), refreshed after each change. */
export function etaForQueue(waitingOrdered: readonly TicketId[], model: EtaModel): Map<TicketId, TicketEta> {
  const times = serviceTimes(model);
  const etas = new Map<TicketId, TicketEta>();
  waitingOrdered.forEach((id, ahead) => {
    if (!etas.has(id)) etas.set(id, { position: ahead + 1, ahead, ...etaFrom(ahead, times) });
  });
  return etas;
}
