import { DomainError } from './errors.ts';
import type { EpochMs, QueueId, TicketId, UserId } from './ids.ts';
import { explainPick } from './pick-explanation.ts';
import { pickWeighted } from './weighted-round-robin.ts';

export type QueueAlgorithm = 'fifo' | 'priority' | 'sla';

export type WaitingTicket = Readonly<{
  id: TicketId;
  queueId: QueueId;
  /** 0 is normal; higher is more urgent (0..9). */
  priority: number;
  createdAt: EpochMs;
  appointmentAt: EpochMs | null;
}>;

export type QueueSnapshot = Readonly<{
  id: QueueId;
  algorithm: QueueAlgorithm;
  /** 0 means no SLA: an `sla` queue then orders FIFO. */
  slaSeconds: number;
  /** >= 1, the queue's share in the agent's weighted round-robin. */
  weight: number;
  status: 'open' | 'paused' | 'closed';
}>;

export type AgentSnapshot = Readonly<{
  id: UserId;
  skills: readonly QueueId[];
  /** Smooth weighted round-robin current weights by queue id, persisted between calls; {} initially. */
  rr: Readonly<Record<string, number>>;
}>;

export type PolicyConfig = Readonly<{
  /** +1 effective priority per this many seconds waited (priority queues). Must be > 0. */
  agingSeconds: number;
  /** An `sla` ticket whose wait / SLA reaches this ratio goes first. */
  slaNearRatio: number;
  /** An appointment ticket becomes callable this many seconds before its slot. */
  appointmentEarlySeconds: number;
}>;

export const DEFAULT_POLICY_CONFIG: PolicyConfig = {
  agingSeconds: 600,
  slaNearRatio: 0.8,
  appointmentEarlySeconds: 0,
};

export type PickExplanation = Readonly<{
  policy: QueueAlgorithm;
  queueId: QueueId;
  /** One human sentence, recorded on the ticket event. */
  reason: string;
  waitedSeconds: number;
  effectivePriority?: number;
  slaRatio?: number;
  appointment?: boolean;
  /** Present when several queues had candidates; `weights` are the current weights at decision time. */
  roundRobin?: { weights: Record<string, number>; chosen: QueueId };
}>;

export type PickResult = Readonly<{
  ticket: WaitingTicket;
  explanation: PickExplanation;
  /** The agent's new round-robin state, to persist. */
  rr: Record<string, number>;
}>;

export type PickInput = Readonly<{ queues: readonly QueueSnapshot[]; waiting: readonly WaitingTicket[] }>;

/** A waiting ticket with the figures its queue's policy ranked it by. */
export type RankedTicket = Readonly<{
  ticket: WaitingTicket;
  waitedMs: number;
  appointmentDue: boolean;
  effectivePriority: number;
  /** wait / SLA, or null when the queue has no SLA. */
  slaRatio: number | null;
  slaNear: boolean;
}>;

function assertPolicyConfig(config: PolicyConfig): void {
  const valid =
    Number.isFinite(config.agingSeconds) &&
    config.agingSeconds > 0 &&
    Number.isFinite(config.slaNearRatio) &&
    config.slaNearRatio >= 0 &&
    Number.isFinite(config.appointmentEarlySeconds) &&
    config.appointmentEarlySeconds >= 0;
  if (!valid) {
    throw new DomainError(
      'validation-failed',
      'Queue policy needs agingSeconds > 0, slaNearRatio >= 0 and appointmentEarlySeconds >= 0.',
      config,
    );
  }
}

function isAppointmentDue(ticket: WaitingTicket, config: PolicyConfig, now: EpochMs): boolean {
  return ticket.appointmentAt !== null && now >= ticket.appointmentAt - config.appointmentEarlySeconds * 1000;
}

function rank(queue: QueueSnapshot, ticket: WaitingTicket, config: PolicyConfig, now: EpochMs): RankedTicket {
  // A ticket stamped after `now` (clock skew between devices) counts as not having waited.
  const waitedMs = Math.max(0, now - ticket.createdAt);
  const slaRatio = queue.slaSeconds > 0 ? waitedMs / (queue.slaSeconds * 1000) : null;
  return {
    ticket,
    waitedMs,
    appointmentDue: isAppointmentDue(ticket, config, now),
    effectivePriority: ticket.priority + Math.floor(waitedMs / (config.agingSeconds * 1000)),
    slaRatio,
    slaNear: slaRatio !== null && slaRatio >= config.slaNearRatio,
  };
}

/** Arrival order; the id (UUIDv7, lexically ordered by creation) is the final tie-break so order is total. */
function byArrival(a: RankedTicket, b: RankedTicket): number {
  if (a.ticket.createdAt !== b.ticket.createdAt) return a.ticket.createdAt - b.ticket.createdAt;
  return a.ticket.id < b.ticket.id ? -1 : a.ticket.id > b.ticket.id ? 1 : 0;
}

function byAlgorithm(algorithm: QueueAlgorithm): (a: RankedTicket, b: RankedTicket) => number {
  switch (algorithm) {
    case 'fifo':
      return byArrival;
    case 'priority':
      return (a, b) => b.effectivePriority - a.effectivePriority || byArrival(a, b);
    case 'sla':
      // Within one queue every ticket shares the SLA, so "closest to breach" alone is arrival order.
      // What SLA-awareness adds is the guard: tickets near or past the SLA go first (highest ratio
      // first) and the rest are ordered by priority with aging, so urgent tickets jump the line only
      // until someone is about to breach.
      return (a, b) => {
        if (a.slaNear !== b.slaNear) return a.slaNear ? -1 : 1;
        if (a.slaNear && a.slaRatio !== b.slaRatio) return (b.slaRatio ?? 0) - (a.slaRatio ?? 0);
        return b.effectivePriority - a.effectivePriority || byArrival(a, b);
      };
  }
}

/**
 * The callable tickets of one queue, in the order its policy would call them: due appointments first
 * (earliest slot first), then walk-ins by the queue's algorithm. Appointments not yet due are left out.
 * `pickNext` calls the head of this list; use-cases can feed it to `etaForQueue`.
 */
export function orderWaiting(
  queue: QueueSnapshot,
  waiting: readonly WaitingTicket[],
  config: PolicyConfig,
  now: EpochMs,
): RankedTicket[] {
  assertPolicyConfig(config);
  const walkInOrder = byAlgorithm(queue.algorithm);
  return waiting
    .filter((t) => t.queueId === queue.id && (t.appointmentAt === null || isAppointmentDue(t, config, now)))
    .map((t) => rank(queue, t, config, now))
    .sort((a, b) => {
      if (a.appointmentDue !== b.appointmentDue) return a.appointmentDue ? -1 : 1;
      if (a.appointmentDue) return (a.ticket.appointmentAt ?? 0) - (b.ticket.appointmentAt ?? 0) || byArrival(a, b);
      return walkInOrder(a, b);
    });
}

/**
 * The ticket `agent` should call next, why, and the agent's new round-robin state; null when nothing
 * is callable. Candidates are waiting tickets in open queues among the agent's skills (and equal to
 * `onlyQueueId` when given). Across queues, smooth weighted round-robin by queue weight decides,
 * except that a due appointment at the head of any candidate queue wins (earliest slot first): a
 * booked slot is a promise, and the pick is still charged to that queue's round-robin share.
 * Pure: same input, same output; inputs are not mutated.
 */
export function pickNext(
  input: PickInput,
  agent: AgentSnapshot,
  config: PolicyConfig,
  now: EpochMs,
  onlyQueueId?: QueueId,
): PickResult | null {
  assertPolicyConfig(config);
  const skills = new Set<string>(agent.skills);
  const queues = new Map<QueueId, QueueSnapshot>();
  for (const queue of input.queues) {
    const eligible = queue.status === 'open' && skills.has(queue.id) && (onlyQueueId === undefined || queue.id === onlyQueueId);
    if (eligible && !queues.has(queue.id)) queues.set(queue.id, queue);
  }

  const ordered = new Map<QueueId, RankedTicket[]>();
  for (const queue of queues.values()) {
    const list = orderWaiting(queue, input.waiting, config, now);
    if (list.length > 0) ordered.set(queue.id, list);
  }
  if (ordered.size === 0) return null;

  const heads = [...ordered.values()].map((list) => list[0]).filter((head) => head !== undefined);
  const dueAppointment = heads
    .filter((head) => head.appointmentDue)
    .sort((a, b) => (a.ticket.appointmentAt ?? 0) - (b.ticket.appointmentAt ?? 0) || byArrival(a, b))[0];

  const weighted = pickWeighted(
    [...ordered.keys()].map((id) => ({ key: id, weight: queues.get(id)?.weight ?? 1 })),
    agent.rr,
    dueAppointment?.ticket.queueId,
  );
  const chosenQueueId = weighted.chosen as QueueId;
  const queue = queues.get(chosenQueueId);
  const list = ordered.get(chosenQueueId);
  const chosen = list?.[0];
  if (!queue || !list || !chosen) throw new Error('pickNext: chosen queue has no candidate'); // unreachable

  const explanation = explainPick({
    queue,
    chosen,
    queueCandidates: list,
    config,
    roundRobin:
      ordered.size > 1
        ? {
            forcedByAppointment: dueAppointment !== undefined,
            weights: weighted.decisionWeights,
            queueWeight: weighted.weight,
            totalWeight: weighted.totalWeight,
            queueCount: ordered.size,
          }
        : null,
    now,
  });
  return { ticket: chosen.ticket, explanation, rr: weighted.nextState };
}
