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
  /**
   * Present while a ticket joined from a phone has not checked in at the kiosk: it keeps its place
   * in line but cannot be called. `heldAt` is when its turn first came (null: not yet).
   */
  remote?: Readonly<{ heldAt: EpochMs | null }> | null;
}>;

export type QueueSnapshot = Readonly<{
  id: QueueId;
  algorithm: QueueAlgorithm;
  /** 0 means no SLA: an `sla` queue then orders FIFO. */
  slaSeconds: number;
  /** >= 1, the queue's share in the agent's weighted round-robin. */
  weight: number;
  status: 'open' | 'paused' | 'closed';
  /** How long a remote ticket whose turn came keeps its place before it is dropped (default 300). */
  remoteHoldSeconds?: number;
}>;

export const DEFAULT_REMOTE_HOLD_SECONDS = 300;

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
  /**
   * The aging bound of walk-ins: a walk-in that has waited this long goes before due appointments,
   * so booked slots never starve the walk-in line (it is then called within one service time).
   */
  walkInMaxWaitSeconds: number;
}>;

export const DEFAULT_POLICY_CONFIG: PolicyConfig = {
  agingSeconds: 600,
  slaNearRatio: 0.8,
  appointmentEarlySeconds: 0,
  walkInMaxWaitSeconds: 2700,
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
  /** Remote tickets passed over for the first time (their turn came while away): their hold starts now. */
  hold: TicketId[];
}>;

export type PickInput = Readonly<{ queues: readonly QueueSnapshot[]; waiting: readonly WaitingTicket[] }>;

/** A waiting ticket with the figures its queue's policy ranked it by. */
export type RankedTicket = Readonly<{
  ticket: WaitingTicket;
  waitedMs: number;
  appointmentDue: boolean;
  /** A walk-in past the aging bound: due appointments no longer overtake it. */
  overdue: boolean;
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
    config.appointmentEarlySeconds >= 0 &&
    Number.isFinite(config.walkInMaxWaitSeconds) &&
    config.walkInMaxWaitSeconds > 0;
  if (!valid) {
    throw new DomainError(
      'validation-failed',
      'Queue policy needs agingSeconds > 0, slaNearRatio >= 0, appointmentEarlySeconds >= 0 and walkInMaxWaitSeconds > 0.',
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
    overdue: ticket.appointmentAt === null && waitedMs >= config.walkInMaxWaitSeconds * 1000,
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
 * The waiting tickets of one queue, in the order its policy would call them: walk-ins by the queue's
 * algorithm, with the due appointments (earliest slot first) placed right after the last walk-in
 * past the aging bound, so before every walk-in when none is past it. A booked slot thus overtakes
 * walk-ins only while none of them has waited `walkInMaxWaitSeconds`; the walk-ins' own order is
 * never changed. Appointments not yet due are left out. Remote tickets not yet checked in keep their
 * place here (positions and ETAs count them) but `pickNext` passes over them. `pickNext` calls the
 * first callable entry; use-cases can feed the list to `etaForQueue`.
 */
export function orderWaiting(
  queue: QueueSnapshot,
  waiting: readonly WaitingTicket[],
  config: PolicyConfig,
  now: EpochMs,
): RankedTicket[] {
  assertPolicyConfig(config);
  const ranked = waiting
    .filter((t) => t.queueId === queue.id && (t.appointmentAt === null || isAppointmentDue(t, config, now)))
    .map((t) => rank(queue, t, config, now));
  const walkIns = ranked.filter((r) => !r.appointmentDue).sort(byAlgorithm(queue.algorithm));
  const due = ranked.filter((r) => r.appointmentDue)
    .sort((a, b) => (a.ticket.appointmentAt ?? 0) - (b.ticket.appointmentAt ?? 0) || byArrival(a, b));
  const prefix = walkIns.findLastIndex((r) => r.overdue) + 1;
  return [...walkIns.slice(0, prefix), ...due, ...walkIns.slice(prefix)];
}

/** A remote ticket that has not checked in: it waits in line but cannot be called. */
export function isAway(ticket: WaitingTicket): boolean {
  return ticket.remote !== undefined && ticket.remote !== null;
}

/**
 * Remote tickets whose hold ran out: their turn came while they were away and they did not check in
 * within their queue's hold. The use-case closes them as no-shows before calling.
 */
export function expiredRemoteHolds(queues: readonly QueueSnapshot[], waiting: readonly WaitingTicket[], now: EpochMs): TicketId[] {
  const holdMs = new Map(queues.map((q) => [q.id, (q.remoteHoldSeconds ?? DEFAULT_REMOTE_HOLD_SECONDS) * 1000]));
  return waiting
    .filter((t) => t.remote?.heldAt !== null && t.remote?.heldAt !== undefined && now - t.remote.heldAt >= (holdMs.get(t.queueId) ?? DEFAULT_REMOTE_HOLD_SECONDS * 1000))
    .map((t) => t.id);
}

/**
 * The ticket `agent` should call next, why, and the agent's new round-robin state; null when nothing
 * is callable. Candidates are waiting tickets in open queues among the agent's skills (and equal to
 * `onlyQueueId` when given). Across queues, smooth weighted round-robin by queue weight decides,
 * except that a walk-in past the aging bound at the head of a candidate queue wins (longest wait
 * first), and otherwise a due appointment (earliest slot first): a booked slot is a promise, the aging
 * bound too; the pick is still charged to that queue's round-robin share. Remote tickets not checked
 * in are passed over; those ranked before the chosen ticket are returned in `hold` (first time only).
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
  const awayAhead = new Map<QueueId, TicketId[]>();
  for (const queue of queues.values()) {
    const full = orderWaiting(queue, input.waiting, config, now);
    const firstPresent = full.findIndex((r) => !isAway(r.ticket));
    if (firstPresent < 0) continue;
    // Remote tickets ranked before the first present one: their turn has come while they are away.
    awayAhead.set(queue.id, full.slice(0, firstPresent).map((r) => r.ticket.id));
    ordered.set(queue.id, full.filter((r) => !isAway(r.ticket)));
  }
  if (ordered.size === 0) return null;

  const heads = [...ordered.values()].map((list) => list[0]).filter((head) => head !== undefined);
  // A queue holding a walk-in past the aging bound (longest wait first), else a due appointment
  // (earliest slot first), overrides round-robin: queue weights break neither a booked slot nor the
  // aging bound.
  const oldestOverdue = (list: readonly RankedTicket[]) => list.filter((r) => r.overdue).sort(byArrival)[0];
  const forcing = [...ordered.values()].flatMap((list) => {
    const overdue = oldestOverdue(list);
    if (overdue) return [{ queueId: list[0]!.ticket.queueId, band: 0, key: overdue }];
    return list[0]?.appointmentDue ? [{ queueId: list[0].ticket.queueId, band: 1, key: list[0] }] : [];
  }).sort((a, b) => a.band - b.band
    || (a.band === 1 ? (a.key.ticket.appointmentAt ?? 0) - (b.key.ticket.appointmentAt ?? 0) : 0)
    || byArrival(a.key, b.key));
  const dueAppointment = forcing[0];

  const weighted = pickWeighted(
    [...ordered.keys()].map((id) => ({ key: id, weight: queues.get(id)?.weight ?? 1 })),
    agent.rr,
    dueAppointment?.queueId,
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
  const startHold = (awayAhead.get(chosenQueueId) ?? []).filter((id) => {
    const t = input.waiting.find((w) => w.id === id);
    return t?.remote?.heldAt === null;
  });
  return { ticket: chosen.ticket, explanation, rr: weighted.nextState, hold: startHold };
}

/**
 * Remote tickets whose turn has come although nothing is callable: the agent is free and the first
 * entries of their eligible queues are away. Their hold starts now (first time only).
 */
export function awayHeads(input: PickInput, agent: AgentSnapshot, config: PolicyConfig, now: EpochMs, onlyQueueId?: QueueId): TicketId[] {
  const skills = new Set<string>(agent.skills);
  const held: TicketId[] = [];
  for (const queue of input.queues) {
    if (queue.status !== 'open' || !skills.has(queue.id) || (onlyQueueId !== undefined && queue.id !== onlyQueueId)) continue;
    for (const r of orderWaiting(queue, input.waiting, config, now)) {
      if (!isAway(r.ticket)) break;
      if (r.ticket.remote?.heldAt === null) held.push(r.ticket.id);
    }
  }
  return [...new Set(held)];
}
