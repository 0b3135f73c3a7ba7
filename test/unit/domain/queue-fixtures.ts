import fc from 'fast-check';
import type { EpochMs, QueueId, TicketId, UserId } from '../../../branch-server/domain/ids.ts';
import type {
  AgentSnapshot,
  QueueAlgorithm,
  QueueSnapshot,
  WaitingTicket,
} from '../../../branch-server/domain/queue-policies.ts';

export const NOW: EpochMs = Date.UTC(2025, 0, 15, 10, 0, 0);
export const MINUTE = 60_000;
export const AGENT_ID = 'agent-1' as UserId;

export const queueId = (name: string): QueueId => name as QueueId;
export const ticketId = (name: string): TicketId => name as TicketId;

export function queue(id: string, overrides: Partial<Omit<QueueSnapshot, 'id'>> = {}): QueueSnapshot {
  return { id: queueId(id), algorithm: 'fifo', slaSeconds: 0, weight: 1, status: 'open', ...overrides };
}

export function ticket(
  id: string,
  queue: string,
  overrides: Partial<Omit<WaitingTicket, 'id' | 'queueId'>> = {},
): WaitingTicket {
  return { id: ticketId(id), queueId: queueId(queue), priority: 0, createdAt: NOW - MINUTE, appointmentAt: null, ...overrides };
}

export function agent(skills: readonly string[], rr: Record<string, number> = {}): AgentSnapshot {
  return { id: AGENT_ID, skills: skills.map(queueId), rr };
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const QUEUE_NAMES = ['q0', 'q1', 'q2', 'q3'] as const;

export const algorithmArb: fc.Arbitrary<QueueAlgorithm> = fc.constantFrom('fifo', 'priority', 'sla');

export const queuesArb: fc.Arbitrary<QueueSnapshot[]> = fc.uniqueArray(
  fc.record({
    id: fc.constantFrom(...QUEUE_NAMES).map(queueId),
    algorithm: algorithmArb,
    slaSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 60, max: 3600 })),
    weight: fc.integer({ min: 1, max: 4 }),
    status: fc.constantFrom<QueueSnapshot['status']>('open', 'open', 'open', 'paused', 'closed'),
  }),
  { minLength: 1, maxLength: 4, selector: (q) => q.id },
);

/** Tickets in the given queues (plus an unknown one), created up to 2 h before NOW, some with appointments. */
export function waitingArb(queueNames: readonly string[]): fc.Arbitrary<WaitingTicket[]> {
  return fc
    .array(
      fc.record({
        queueId: fc.constantFrom(...queueNames, 'q-unknown').map(queueId),
        priority: fc.integer({ min: 0, max: 9 }),
        createdAt: fc.integer({ min: NOW - 120 * MINUTE, max: NOW }),
        appointmentAt: fc.option(fc.integer({ min: NOW - 60 * MINUTE, max: NOW + 60 * MINUTE }), { freq: 4 }),
      }),
      { maxLength: 25 },
    )
    .map((rows) => rows.map((row, i) => ({ ...row, id: ticketId(`t${String(i).padStart(3, '0')}`) })));
}

export const scenarioArb = queuesArb.chain((queues) =>
  fc.record({
    queues: fc.constant(queues),
    waiting: waitingArb(queues.map((q) => q.id)),
    skills: fc.subarray(queues.map((q) => q.id)),
    rr: fc.dictionary(fc.constantFrom(...QUEUE_NAMES), fc.integer({ min: -8, max: 8 }), { maxKeys: 4 }),
  }),
);
