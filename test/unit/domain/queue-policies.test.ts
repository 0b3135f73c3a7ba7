import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QueueId } from '../../../branch-server/domain/ids.ts';
import {
  DEFAULT_POLICY_CONFIG,
  orderWaiting,
  pickNext,
  type PickResult,
  type PolicyConfig,
  type QueueSnapshot,
  type WaitingTicket,
} from '../../../branch-server/domain/queue-policies.ts';
import { expectDomainError } from './expect-domain-error.ts';
import {
  MINUTE,
  NOW,
  agent,
  deepFreeze,
  queue,
  queueId,
  scenarioArb,
  ticket,
  ticketId,
} from './queue-fixtures.ts';

const config = DEFAULT_POLICY_CONFIG;

/** Calls repeatedly, removing each called ticket, and returns the ids in call order. */
function drain(queues: readonly QueueSnapshot[], waiting: readonly WaitingTicket[], skills: readonly string[], policy: PolicyConfig = config): string[] {
  let rest = [...waiting];
  let rr: Record<string, number> = {};
  const order: string[] = [];
  for (;;) {
    const result = pickNext({ queues, waiting: rest }, agent(skills, rr), policy, NOW);
    if (!result) return order;
    order.push(result.ticket.id);
    rr = result.rr;
    rest = rest.filter((t) => t.id !== result.ticket.id);
  }
}

function isSentence(reason: string): boolean {
  return /^[A-Z].*\.$/.test(reason) && !/undefined|NaN|null|Infinity/.test(reason);
}

describe('pickNext candidates', () => {
  it('returns null when no ticket is waiting', () => {
    expect(pickNext({ queues: [queue('a')], waiting: [] }, agent(['a']), config, NOW)).toBeNull();
  });

  it('only considers queues among the agent skills', () => {
    const input = { queues: [queue('a'), queue('b')], waiting: [ticket('t1', 'a', { createdAt: NOW - 9 * MINUTE }), ticket('t2', 'b')] };
    expect(pickNext(input, agent(['b']), config, NOW)?.ticket.id).toBe('t2');
    expect(pickNext(input, agent([]), config, NOW)).toBeNull();
  });

  it.each(['paused', 'closed'] as const)('skips a %s queue', (status) => {
    const input = { queues: [queue('a', { status }), queue('b')], waiting: [ticket('t1', 'a', { createdAt: NOW - 9 * MINUTE }), ticket('t2', 'b')] };
    expect(pickNext(input, agent(['a', 'b']), config, NOW)?.ticket.id).toBe('t2');
    expect(pickNext(input, agent(['a']), config, NOW)).toBeNull();
  });

  it('ignores tickets of queues it was not given', () => {
    const input = { queues: [queue('a')], waiting: [ticket('t1', 'ghost')] };
    expect(pickNext(input, agent(['a', 'ghost']), config, NOW)).toBeNull();
  });

  it('restricts the pick to the requested queue', () => {
    const input = { queues: [queue('a'), queue('b')], waiting: [ticket('t1', 'a', { createdAt: NOW - 9 * MINUTE }), ticket('t2', 'b')] };
    expect(pickNext(input, agent(['a', 'b']), config, NOW, queueId('b'))?.ticket.id).toBe('t2');
    expect(pickNext(input, agent(['a']), config, NOW, queueId('b'))).toBeNull();
  });

  it('rejects a policy without positive aging', () => {
    const input = { queues: [queue('a')], waiting: [ticket('t1', 'a')] };
    expectDomainError(() => pickNext(input, agent(['a']), { ...config, agingSeconds: 0 }, NOW), 'validation-failed');
  });
});

describe('fifo policy', () => {
  it('calls tickets in arrival order, breaking ties by id', () => {
    const waiting = [
      ticket('t3', 'a', { createdAt: NOW - 2 * MINUTE }),
      ticket('t2', 'a', { createdAt: NOW - 5 * MINUTE, priority: 9 }),
      ticket('t1', 'a', { createdAt: NOW - 2 * MINUTE }),
    ];
    expect(drain([queue('a')], waiting, ['a'])).toEqual(['t2', 't1', 't3']);
  });

  it('always calls the earliest ticket by (createdAt, id)', () => {
    const walkInsArb = fc
      .array(fc.integer({ min: NOW - 10 * MINUTE, max: NOW }), { minLength: 1, maxLength: 30 })
      .chain((times) => fc.shuffledSubarray(times.map((createdAt, i) => ticket(`t${String(i).padStart(3, '0')}`, 'q0', { createdAt, priority: i % 10 })), { minLength: times.length, maxLength: times.length }));
    fc.assert(
      fc.property(walkInsArb, (waiting) => {
        const result = pickNext({ queues: [queue('q0')], waiting }, agent(['q0']), config, NOW);
        const expected = [...waiting].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))[0];
        expect(result?.ticket).toEqual(expected);
        expect(result?.explanation.policy).toBe('fifo');
      }),
      { numRuns: 300 },
    );
  });

  it('explains the pick as first in line', () => {
    const waiting = [ticket('t1', 'a', { createdAt: NOW - 12 * MINUTE }), ticket('t2', 'a')];
    const result = pickNext({ queues: [queue('a')], waiting }, agent(['a']), config, NOW);
    expect(result?.explanation).toEqual({
      policy: 'fifo',
      queueId: 'a',
      reason: 'First in line after waiting 12 min, ahead of 1 other ticket.',
      waitedSeconds: 720,
    });
  });
});

describe('priority policy', () => {
  const priorityQueue = queue('p', { algorithm: 'priority' });

  it('calls a priority ticket before older normal tickets', () => {
    const waiting = [
      ticket('t1', 'p', { createdAt: NOW - 5 * MINUTE }),
      ticket('t2', 'p', { createdAt: NOW - 4 * MINUTE }),
      ticket('t3', 'p', { createdAt: NOW - MINUTE, priority: 2 }),
    ];
    expect(drain([priorityQueue], waiting, ['p'])).toEqual(['t3', 't1', 't2']);
  });

  it.each([
    // [label, older normal ticket wait, newer urgent ticket priority and wait, expected first]
    ['a fresh priority 1 beats a normal ticket waiting 9 min', 9, [1, 0], 't-urgent'],
    ['a normal ticket waiting 10 min ties a fresh priority 1 and wins by age', 10, [1, 0], 't-normal'],
    ['a normal ticket waiting 25 min (effective 2) beats a priority 1 waiting 5 min', 25, [1, 5], 't-normal'],
    ['a priority 3 waiting 1 min (effective 3) beats a normal ticket waiting 29 min (effective 2)', 29, [3, 1], 't-urgent'],
  ] as const)('ages waiting tickets: %s', (_label, normalWait, [urgentPriority, urgentWait], first) => {
    const waiting = [
      ticket('t-normal', 'p', { createdAt: NOW - normalWait * MINUTE }),
      ticket('t-urgent', 'p', { createdAt: NOW - urgentWait * MINUTE, priority: urgentPriority }),
    ];
    expect(pickNext({ queues: [priorityQueue], waiting }, agent(['p']), config, NOW)?.ticket.id).toBe(first);
  });

  it('explains the effective priority after aging', () => {
    const waiting = [
      ticket('t1', 'p', { createdAt: NOW - 10 * MINUTE, priority: 2 }),
      ...['t2', 't3', 't4', 't5'].map((id) => ticket(id, 'p', { createdAt: NOW - 11 * MINUTE })),
    ];
    const result = pickNext({ queues: [priorityQueue], waiting }, agent(['p']), config, NOW);
    expect(result?.ticket.id).toBe('t1');
    expect(result?.explanation).toMatchObject({ policy: 'priority', effectivePriority: 3, waitedSeconds: 600 });
    expect(result?.explanation.reason).toBe(
      'Priority 2 (effective 3 after 10 min of aging at +1 per 10 min) ahead of 4 other tickets (4 of them older).',
    );
  });

  // Bound: with effective = priority + floor(wait / aging), a ticket X can be called before an older
  // ticket N only if X arrived less than (X.priority − N.priority) × agingSeconds after N. Proof:
  // wait(N) = wait(X) + d, so floor(wait(N)/A) ≥ floor(wait(X)/A) + floor(d/A); if d ≥ Δp × A then
  // effective(N) ≥ effective(X) and the tie goes to the older N. So a normal ticket is passed only by
  // tickets arriving within maxPriority × agingSeconds (9 × 10 min by default) after it: never forever.
  it('never lets a ticket pass an older one that it arrived (priority gap × aging) or more after', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1200 }),
        fc.array(
          fc.record({ priority: fc.integer({ min: 0, max: 9 }), createdAt: fc.integer({ min: NOW - 4 * 3600_000, max: NOW }) }),
          { minLength: 1, maxLength: 30 },
        ),
        (agingSeconds, rows) => {
          const waiting = rows.map((row, i) => ticket(`t${String(i).padStart(3, '0')}`, 'p', row));
          const result = pickNext({ queues: [priorityQueue], waiting }, agent(['p']), { ...config, agingSeconds }, NOW);
          const picked = result?.ticket;
          if (!picked) throw new Error('a waiting ticket must be picked');
          for (const older of waiting.filter((t) => t.createdAt < picked.createdAt)) {
            expect(picked.createdAt - older.createdAt).toBeLessThan((picked.priority - older.priority) * agingSeconds * 1000);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  /** One agent calls every `serviceSeconds`; urgent tickets arrive twice as fast, so without aging a normal ticket starves. */
  function simulateUrgentFlood(agingSeconds: number, serviceSeconds: number, priorities: readonly number[], backlog: number, maxCalls: number) {
    const gapMs = (serviceSeconds * 1000) / 2;
    const start = NOW - 6 * 3600_000;
    const normal = ticket('n', 'p', { createdAt: start });
    const urgentAt = (k: number) => start + (k - backlog) * gapMs;
    let nextUrgent = 0;
    let waiting: WaitingTicket[] = [normal];
    const calledBeforeNormal: WaitingTicket[] = [];
    for (let call = 1; call <= maxCalls; call += 1) {
      const now = start + call * serviceSeconds * 1000;
      while (urgentAt(nextUrgent) <= now) {
        const priority = priorities[nextUrgent % priorities.length] ?? 1;
        waiting.push(ticket(`u${String(nextUrgent).padStart(5, '0')}`, 'p', { createdAt: urgentAt(nextUrgent), priority }));
        nextUrgent += 1;
      }
      const picked = pickNext({ queues: [priorityQueue], waiting }, agent(['p']), { ...config, agingSeconds }, now)?.ticket;
      if (!picked) throw new Error('the flood never runs dry');
      if (picked.id === 'n') return { calls: call, calledBeforeNormal, normal };
      calledBeforeNormal.push(picked);
      waiting = waiting.filter((t) => t.id !== picked.id);
    }
    return { calls: null, calledBeforeNormal, normal };
  }

  it('calls a normal ticket within the aging bound despite an endless flood of urgent tickets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 300 }),
        fc.integer({ min: 60, max: 180 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 10 }),
        (agingSeconds, serviceSeconds, priorities, backlog) => {
          const maxPriority = 9;
          // Only tickets that arrived before normal.createdAt + maxPriority × aging can be called first.
          const possiblyAhead = backlog + Math.ceil((maxPriority * agingSeconds * 2) / serviceSeconds) + 1;
          const { calls, calledBeforeNormal, normal } = simulateUrgentFlood(agingSeconds, serviceSeconds, priorities, backlog, possiblyAhead + 1);
          expect(calls).not.toBeNull();
          for (const passed of calledBeforeNormal) {
            expect(passed.createdAt - normal.createdAt).toBeLessThan(passed.priority * agingSeconds * 1000);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('would starve the normal ticket in the same flood without aging', () => {
    expect(simulateUrgentFlood(1e9, 60, [1], 0, 500).calls).toBeNull();
    expect(simulateUrgentFlood(60, 60, [1], 0, 500).calls).not.toBeNull();
  });
});

describe('sla policy', () => {
  const slaQueue = queue('s', { algorithm: 'sla', slaSeconds: 600 });

  it.each([
    // [label, waits in minutes of t1..t3 with priorities, expected order]
    ['calls tickets past and near SLA first, by ratio', [[11, 0], [8.5, 0], [2, 0]], ['t1', 't2', 't3']],
    ['calls a near-SLA normal ticket before a newer urgent one', [[9, 0], [1, 9], [0.5, 9]], ['t1', 't2', 't3']],
    ['orders the tickets not near SLA by priority', [[3, 0], [2, 9], [1, 5]], ['t2', 't3', 't1']],
    ['lets urgent tickets jump only until a normal ticket nears its SLA', [[8, 0], [2, 9], [1, 5]], ['t1', 't2', 't3']],
  ] as const)('%s', (_label, rows, expected) => {
    const waiting = rows.map(([wait, priority], i) => ticket(`t${i + 1}`, 's', { createdAt: NOW - wait * MINUTE, priority }));
    expect(drain([slaQueue], [...waiting].reverse(), ['s'])).toEqual(expected);
  });

  it.each([
    [11, 1.1, 'Past its 10 min SLA at 110% after waiting 11 min, the closest to breach of 2 tickets near or past SLA, ahead of 1 other ticket.'],
    [9, 0.9, 'Near its 10 min SLA at 90% after waiting 9 min, the closest to breach of 2 tickets near or past SLA, ahead of 1 other ticket.'],
    [7, 0.7, 'No ticket near its 10 min SLA (threshold 80%), so normal priority first, after waiting 7 min (70% of SLA), ahead of 1 other ticket.'],
  ])('reports the SLA ratio of a ticket waiting %i min', (wait, ratio, reason) => {
    const waiting = [
      ticket('t1', 's', { createdAt: NOW - wait * MINUTE }),
      ticket('t2', 's', { createdAt: NOW - (wait - 0.5) * MINUTE }),
    ];
    const explanation = pickNext({ queues: [slaQueue], waiting }, agent(['s']), config, NOW)?.explanation;
    expect(explanation?.slaRatio).toBeCloseTo(ratio, 10);
    expect(explanation?.reason).toBe(reason);
  });

  it('orders several near-SLA tickets by ratio, highest first', () => {
    const waiting = [9, 12, 8, 10, 3].map((wait, i) => ticket(`t${i}`, 's', { createdAt: NOW - wait * MINUTE }));
    const ranked = orderWaiting(slaQueue, waiting, config, NOW);
    expect(ranked.map((r) => r.slaRatio)).toEqual([1.2, 1, 0.9, 0.8, 0.3]);
    expect(ranked.map((r) => r.slaNear)).toEqual([true, true, true, true, false]);
  });

  it('falls back to priority order without an SLA', () => {
    const noSla = queue('s', { algorithm: 'sla', slaSeconds: 0 });
    const waiting = [ticket('t2', 's', { createdAt: NOW - MINUTE, priority: 9 }), ticket('t1', 's', { createdAt: NOW - 2 * MINUTE })];
    const result = pickNext({ queues: [noSla], waiting }, agent(['s']), config, NOW);
    expect(result?.ticket.id).toBe('t2');
    expect(result?.explanation.slaRatio).toBeUndefined();
    expect(result?.explanation.reason).toBe('No SLA set, so priority 9 first, after waiting 1 min, ahead of 1 other ticket (1 of them older).');
  });
});

describe('appointments', () => {
  const slot = NOW + 5 * MINUTE;
  const walkIn = ticket('t-walk', 'a', { createdAt: NOW - 30 * MINUTE, priority: 9 });
  const booked = ticket('t-rdv', 'a', { createdAt: NOW - MINUTE, appointmentAt: slot });

  it('does not call an appointment before its slot', () => {
    const input = { queues: [queue('a', { algorithm: 'priority' })], waiting: [walkIn, booked] };
    expect(pickNext(input, agent(['a']), config, NOW)?.ticket.id).toBe('t-walk');
    expect(pickNext({ ...input, waiting: [booked] }, agent(['a']), config, NOW)).toBeNull();
  });

  it('calls an appointment first once its slot is reached', () => {
    const input = { queues: [queue('a', { algorithm: 'priority' })], waiting: [walkIn, booked] };
    const result = pickNext(input, agent(['a']), config, slot);
    expect(result?.ticket.id).toBe('t-rdv');
    expect(result?.explanation).toMatchObject({ appointment: true, policy: 'priority' });
    expect(result?.explanation.reason).toBe(
      'Appointment slot starts now, and due appointments are called before walk-ins; ahead of 1 other ticket (1 of them older).',
    );
  });

  it('calls an appointment early within the configured window', () => {
    const input = { queues: [queue('a')], waiting: [walkIn, booked] };
    const early = { ...config, appointmentEarlySeconds: 300 };
    expect(pickNext(input, agent(['a']), early, slot - 5 * MINUTE - 1)?.ticket.id).toBe('t-walk');
    expect(pickNext(input, agent(['a']), early, slot - 5 * MINUTE)?.ticket.id).toBe('t-rdv');
  });

  it('calls due appointments by slot, earliest first', () => {
    const waiting = [
      ticket('t1', 'a', { createdAt: NOW - 20 * MINUTE, appointmentAt: NOW - 5 * MINUTE }),
      ticket('t2', 'a', { createdAt: NOW - 30 * MINUTE, appointmentAt: NOW - 10 * MINUTE }),
      ticket('t3', 'a', { createdAt: NOW - 40 * MINUTE }),
      ticket('t4', 'a', { createdAt: NOW - 40 * MINUTE, appointmentAt: NOW + 10 * MINUTE }),
    ];
    expect(drain([queue('a')], waiting, ['a'])).toEqual(['t2', 't1', 't3']);
  });

  it('lets a due appointment in another queue win over round-robin and charges it to that queue', () => {
    const queues = [queue('a', { weight: 3 }), queue('b', { weight: 1 })];
    const waiting = [ticket('t-a', 'a', { createdAt: NOW - 30 * MINUTE }), ticket('t-b', 'b', { appointmentAt: NOW - MINUTE })];
    const result = pickNext({ queues, waiting }, agent(['a', 'b']), config, NOW);
    expect(result?.ticket.id).toBe('t-b');
    expect(result?.rr).toEqual({ a: 3, b: -3 });
    expect(result?.explanation.roundRobin).toBeUndefined();
    expect(result?.explanation.reason).toMatch(/; it takes precedence over round-robin across 2 queues\.$/);
  });

  it('picks, across queues, the due appointment with the earliest slot while no walk-in is past its aging bound', () => {
    // The scenarios' walk-ins wait up to hours; with the bound out of reach, booked slots always lead.
    const unbounded = { ...config, walkInMaxWaitSeconds: 1e9 };
    fc.assert(
      fc.property(scenarioArb, ({ queues, waiting, skills, rr }) => {
        const open = new Set<string>(queues.filter((q) => q.status === 'open' && skills.includes(q.id)).map((q) => q.id));
        const due = waiting.filter((t) => open.has(t.queueId) && t.appointmentAt !== null && t.appointmentAt <= NOW);
        fc.pre(due.length > 0);
        const result = pickNext({ queues, waiting }, agent(skills, rr), unbounded, NOW);
        expect(result?.ticket.appointmentAt).toBe(Math.min(...due.map((t) => t.appointmentAt ?? Infinity)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('weighted round-robin across queues', () => {
  it('serves queues weighted 2:1:1 in the order a, b, c, a', () => {
    const queues = [queue('a', { weight: 2 }), queue('b'), queue('c')];
    const waiting = ['a', 'b', 'c'].flatMap((q) => [ticket(`${q}1`, q), ticket(`${q}2`, q)]);
    let rr: Record<string, number> = {};
    const chosen: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const result = pickNext({ queues, waiting }, agent(['a', 'b', 'c'], rr), config, NOW);
      chosen.push(result?.explanation.queueId ?? '');
      rr = result?.rr ?? {};
    }
    expect(chosen).toEqual(['a', 'b', 'c', 'a']);
    expect(rr).toEqual({ a: 0, b: 0, c: 0 });
  });

  it('keeps each queue within one call of its weighted share over long runs', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 80 }), (weights, calls) => {
        const queues = weights.map((weight, i) => queue(`q${i}`, { weight }));
        const waiting = queues.map((q) => ticket(`t-${q.id}`, q.id));
        const skills = queues.map((q) => q.id);
        const total = weights.reduce((a, b) => a + b, 0);
        const counts = new Map<string, number>();
        let rr: Record<string, number> = {};
        for (let n = 1; n <= calls; n += 1) {
          const result = pickNext({ queues, waiting }, agent(skills, rr), config, NOW);
          if (!result) throw new Error('every queue has a ticket');
          counts.set(result.explanation.queueId, (counts.get(result.explanation.queueId) ?? 0) + 1);
          rr = result.rr;
          queues.forEach((q, i) => {
            expect(Math.abs((counts.get(q.id) ?? 0) - (n * (weights[i] ?? 0)) / total)).toBeLessThanOrEqual(1);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('only rotates among queues that have a candidate and leaves the others state alone', () => {
    const queues = [queue('a', { weight: 2 }), queue('b'), queue('c', { weight: 4 })];
    const waiting = [ticket('t-a', 'a'), ticket('t-b', 'b')];
    const result = pickNext({ queues, waiting }, agent(['a', 'b', 'c'], { c: 7 }), config, NOW);
    expect(result?.explanation.roundRobin).toEqual({ weights: { a: 2, b: 1 }, chosen: 'a' });
    expect(result?.rr).toEqual({ a: -1, b: 1, c: 7 });
    expect(result?.explanation.reason).toBe(
      'First in line after waiting 1 min, with no other ticket waiting; its queue was chosen by weighted round-robin across 2 queues (weight 2 of 3).',
    );
  });

  it('omits round-robin from the explanation when one queue has candidates', () => {
    const result = pickNext({ queues: [queue('a'), queue('b')], waiting: [ticket('t1', 'a')] }, agent(['a', 'b']), config, NOW);
    expect(result?.explanation.roundRobin).toBeUndefined();
  });
});

describe('pickNext purity', () => {
  function permutationArb<T>(items: readonly T[]): fc.Arbitrary<T[]> {
    return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
  }

  it('returns the same result for the same input, in any order, without mutating it', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) => fc.record({ s: fc.constant(s), queues: permutationArb(s.queues), waiting: permutationArb(s.waiting) })),
        ({ s, queues, waiting }) => {
          const input = deepFreeze({ queues: s.queues, waiting: s.waiting });
          const snapshot = structuredClone(input);
          const frozenAgent = deepFreeze(agent(s.skills, s.rr));
          const first = pickNext(input, frozenAgent, config, NOW);
          expect(pickNext(input, frozenAgent, config, NOW)).toEqual(first);
          expect(pickNext({ queues, waiting }, agent(s.skills, s.rr), config, NOW)).toEqual(first);
          expect(input).toEqual(snapshot);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('picks only callable tickets and explains every pick in a sentence', () => {
    fc.assert(
      fc.property(scenarioArb, ({ queues, waiting, skills, rr }) => {
        const result: PickResult | null = pickNext({ queues, waiting }, agent(skills, rr), config, NOW);
        const callable = waiting.filter((t) => {
          const q = queues.find((candidate) => candidate.id === t.queueId);
          return q?.status === 'open' && skills.includes(q.id) && (t.appointmentAt === null || t.appointmentAt <= NOW);
        });
        if (callable.length === 0) {
          expect(result).toBeNull();
          return;
        }
        expect(callable).toContainEqual(result?.ticket);
        expect(isSentence(result?.explanation.reason ?? '')).toBe(true);
        expect(result?.explanation.queueId).toBe(result?.ticket.queueId);
        expect(result?.explanation.waitedSeconds).toBe(Math.floor((NOW - (result?.ticket.createdAt ?? 0)) / 1000));
      }),
      { numRuns: 500 },
    );
  });
});

describe('orderWaiting', () => {
  it('lists the callable tickets of one queue in call order', () => {
    const q = queue('a', { algorithm: 'priority' });
    const waiting = [
      ticket('t1', 'a', { createdAt: NOW - 3 * MINUTE }),
      ticket('t2', 'a', { priority: 1 }),
      ticket('t3', 'b'),
      ticket('t4', 'a', { appointmentAt: NOW }),
      ticket('t5', 'a', { appointmentAt: NOW + MINUTE }),
    ];
    expect(orderWaiting(q, waiting, config, NOW).map((r) => r.ticket.id)).toEqual([ticketId('t4'), ticketId('t2'), ticketId('t1')]);
  });

  it('starts with the ticket pickNext calls when the queue is alone', () => {
    fc.assert(
      fc.property(scenarioArb, ({ queues, waiting }) => {
        const q = { ...queues[0], status: 'open' } as QueueSnapshot;
        const head = orderWaiting(q, waiting, config, NOW)[0]?.ticket ?? null;
        expect(pickNext({ queues: [q], waiting }, agent([q.id as QueueId]), config, NOW)?.ticket ?? null).toEqual(head);
      }),
      { numRuns: 200 },
    );
  });
});
