import type { EpochMs } from './ids.ts';
import type { PickExplanation, PolicyConfig, QueueSnapshot, RankedTicket } from './queue-policies.ts';

export type RoundRobinContext = Readonly<{
  /** A due appointment chose the queue; round-robin was overridden. */
  forcedByAppointment: boolean;
  weights: Record<string, number>;
  queueWeight: number;
  totalWeight: number;
  queueCount: number;
}>;

export type ExplainInput = Readonly<{
  queue: QueueSnapshot;
  chosen: RankedTicket;
  /** The chosen queue's callable tickets in call order, the chosen one included. */
  queueCandidates: readonly RankedTicket[];
  config: PolicyConfig;
  roundRobin: RoundRobinContext | null;
  now: EpochMs;
}>;

/** '45 s', '12 min', '1 h 05 min': whole units, rounded down. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

function others(candidates: readonly RankedTicket[], chosen: RankedTicket): string {
  const rest = candidates.filter((c) => c !== chosen);
  if (rest.length === 0) return 'with no other ticket waiting';
  const older = rest.filter((c) => c.ticket.createdAt < chosen.ticket.createdAt).length;
  return older > 0
    ? `ahead of ${plural(rest.length, 'other ticket')} (${older} of them older)`
    : `ahead of ${plural(rest.length, 'other ticket')}`;
}

function appointmentClause(chosen: RankedTicket, now: EpochMs): string {
  const slot = chosen.ticket.appointmentAt ?? now;
  const when = slot > now ? `starts in ${formatDuration((slot - now) / 1000)}` : slot === now ? 'starts now' : `started ${formatDuration((now - slot) / 1000)} ago`;
  return `appointment slot ${when}, and due appointments are called before walk-ins`;
}

function priorityClause(chosen: RankedTicket, config: PolicyConfig): string {
  const base = chosen.ticket.priority === 0 ? 'normal priority' : `priority ${chosen.ticket.priority}`;
  if (chosen.effectivePriority === chosen.ticket.priority) return base;
  return `${base} (effective ${chosen.effectivePriority} after ${formatDuration(chosen.waitedMs / 1000)} of aging at +1 per ${formatDuration(config.agingSeconds)})`;
}

function slaClause(queue: QueueSnapshot, chosen: RankedTicket, candidates: readonly RankedTicket[], config: PolicyConfig): string {
  const waited = formatDuration(chosen.waitedMs / 1000);
  if (chosen.slaRatio === null) return `no SLA set, so ${priorityClause(chosen, config)} first, after waiting ${waited}`;
  const sla = formatDuration(queue.slaSeconds);
  if (!chosen.slaNear) {
    return `no ticket near its ${sla} SLA (threshold ${percent(config.slaNearRatio)}), so ${priorityClause(chosen, config)} first, after waiting ${waited} (${percent(chosen.slaRatio)} of SLA)`;
  }
  const near = candidates.filter((c) => c.slaNear).length;
  const state = chosen.slaRatio >= 1 ? 'past' : 'near';
  return `${state} its ${sla} SLA at ${percent(chosen.slaRatio)} after waiting ${waited}, the closest to breach of ${plural(near, 'ticket')} near or past SLA`;
}

function roundRobinClause(rr: RoundRobinContext): string {
  if (rr.forcedByAppointment) return `it takes precedence over round-robin across ${rr.queueCount} queues`;
  return `its queue was chosen by weighted round-robin across ${rr.queueCount} queues (weight ${rr.queueWeight} of ${rr.totalWeight})`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The decision record stored with the ticket event: figures plus one readable sentence. */
export function explainPick(input: ExplainInput): PickExplanation {
  const { queue, chosen, queueCandidates, config, roundRobin, now } = input;
  const clauses: string[] = [];
  if (chosen.appointmentDue) {
    clauses.push(`${appointmentClause(chosen, now)}; ${others(queueCandidates, chosen)}`);
  } else if (chosen.overdue && queueCandidates.some((c) => c.appointmentDue)) {
    clauses.push(`waited ${formatDuration(chosen.waitedMs / 1000)}, past the ${formatDuration(config.walkInMaxWaitSeconds)} bound for walk-ins, so it goes before due appointments; ${others(queueCandidates, chosen)}`);
  } else if (queue.algorithm === 'priority') {
    clauses.push(`${priorityClause(chosen, config)} ${others(queueCandidates, chosen)}`);
  } else if (queue.algorithm === 'sla') {
    clauses.push(`${slaClause(queue, chosen, queueCandidates, config)}, ${others(queueCandidates, chosen)}`);
  } else {
    clauses.push(`first in line after waiting ${formatDuration(chosen.waitedMs / 1000)}, ${others(queueCandidates, chosen)}`);
  }
  if (roundRobin) clauses.push(roundRobinClause(roundRobin));

  return {
    policy: queue.algorithm,
    queueId: queue.id,
    reason: `${capitalize(clauses.join('; '))}.`,
    waitedSeconds: Math.floor(chosen.waitedMs / 1000),
    ...(queue.algorithm === 'priority' ? { effectivePriority: chosen.effectivePriority } : {}),
    ...(queue.algorithm === 'sla' && chosen.slaRatio !== null ? { slaRatio: chosen.slaRatio } : {}),
    ...(chosen.appointmentDue ? { appointment: true } : {}),
    ...(roundRobin && !roundRobin.forcedByAppointment ? { roundRobin: { weights: roundRobin.weights, chosen: queue.id } } : {}),
  };
}
