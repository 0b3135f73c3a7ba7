import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EpochMs, QueueId } from '../../../branch-server/domain/ids.ts';
import {
  awayHeads, DEFAULT_POLICY_CONFIG, expiredRemoteHolds, orderWaiting, pickNext, type QueueSnapshot, type WaitingTicket,
} from '../../../branch-server/domain/queue-policies.ts';
import { MINUTE, NOW, agent, queue, ticket } from './queue-fixtures.ts';

const config = DEFAULT_POLICY_CONFIG;
const BOUND_MS = config.walkInMaxWaitSeconds * 1000;

describe('due appointments and the walk-in aging bound', () => {
  it('calls a due appointment before walk-ins that have not reached the bound, and after one that has', () => {
    const q = queue('a');
    const booked = ticket('rdv', 'a', { createdAt: NOW - 20 * MINUTE, appointmentAt: NOW - MINUTE });
    const fresh = ticket('w-fresh', 'a', { createdAt: NOW - 10 * MINUTE });
    const old = ticket('w-old', 'a', { createdAt: NOW - BOUND_MS });
    expect(orderWaiting(q, [fresh, booked], config, NOW).map((r) => r.ticket.id)).toEqual(['rdv', 'w-fresh']);
    expect(orderWaiting(q, [fresh, booked, old], config, NOW).map((r) => r.ticket.id)).toEqual(['w-old', 'rdv', 'w-fresh']);
    const pick = pickNext({ queues: [q], waiting: [fresh, booked, old] }, agent(['a']), config, NOW);
    expect(pick?.ticket.id).toBe('w-old');
    expect(pick?.explanation.reason).toMatch(/past the 45 min bound for walk-ins, so it goes before due appointments/);
  });

  it('keeps the walk-ins\' own order under a priority policy: an urgent walk-in ahead of an overdue one stays ahead of it', () => {
    const q = queue('p', { algorithm: 'priority' });
    const urgent = ticket('urgent', 'p', { createdAt: NOW - MINUTE, priority: 9 });
    const old = ticket('old', 'p', { createdAt: NOW - BOUND_MS - MINUTE });
    const booked = ticket('rdv', 'p', { createdAt: NOW - 5 * MINUTE, appointmentAt: NOW });
    expect(orderWaiting(q, [old, booked, urgent], config, NOW).map((r) => r.ticket.id)).toEqual(['urgent', 'old', 'rdv']);
  });

  it('lets a queue holding an overdue walk-in win over round-robin and over a due appointment in another queue', () => {
    const queues = [queue('walk', { weight: 1 }), queue('rdv', { weight: 9 })];
    const waiting = [
      ticket('w', 'walk', { createdAt: NOW - BOUND_MS - MINUTE }),
      ticket('r', 'rdv', { createdAt: NOW - 2 * MINUTE, appointmentAt: NOW - MINUTE }),
    ];
    expect(pickNext({ queues, waiting }, agent(['walk', 'rdv']), config, NOW)?.ticket.id).toBe('w');
    const fresh = [ticket('w', 'walk', { createdAt: NOW - MINUTE }), waiting[1]!];
    expect(pickNext({ queues, waiting: fresh }, agent(['walk', 'rdv']), config, NOW)?.ticket.id).toBe('r');
  });

  /**
   * One agent serving for `serviceMs` each; walk-ins arriving at least one service time apart (the
   * agent could keep up with them alone); any number of appointments, checked in early or late,
   * booked in the walk-ins' queue or in their own queue with any weight. The agent calls whenever
   * free; when nothing is callable it waits for the next arrival or slot.
   */
  function simulate(s: Readonly<{
    serviceMs: number; walkInGaps: number[]; appointments: { slot: number; arrival: number }[]; ownQueue: boolean; weight: number;
  }>, policy = config): { walkInWaits: number[]; served: number; total: number } {
    const walkQueue = queue('walk');
    const rdvQueue: QueueSnapshot = s.ownQueue ? queue('rdv', { weight: s.weight }) : walkQueue;
    const queues = s.ownQueue ? [walkQueue, rdvQueue] : [walkQueue];
    const arrivals: { at: EpochMs; t: WaitingTicket }[] = [];
    let at = NOW;
    s.walkInGaps.forEach((gap, i) => {
      at += gap;
      arrivals.push({ at, t: ticket(`w${String(i).padStart(4, '0')}`, 'walk', { createdAt: at }) });
    });
    s.appointments.forEach((a, i) => {
      const slot = NOW + a.slot;
      const arrival = Math.max(NOW, slot + a.arrival);
      arrivals.push({ at: arrival, t: ticket(`r${String(i).padStart(4, '0')}`, rdvQueue.id, { createdAt: arrival, appointmentAt: slot }) });
    });
    arrivals.sort((x, y) => x.at - y.at);
    const slots = arrivals.filter((x) => x.t.appointmentAt !== null).map((x) => x.t.appointmentAt!);
    const calledAt = new Map<string, number>();
    let waiting: WaitingTicket[] = [];
    let next = 0;
    let now = NOW;
    let rr: Record<string, number> = {};
    for (let guard = 0; guard < 10_000 && calledAt.size < arrivals.length; guard += 1) {
      while (next < arrivals.length && arrivals[next]!.at <= now) waiting.push(arrivals[next++]!.t);
      const pick = pickNext({ queues, waiting }, agent(queues.map((q) => q.id), rr), policy, now);
      if (pick) {
        calledAt.set(pick.ticket.id, now);
        rr = pick.rr;
        waiting = waiting.filter((t) => t.id !== pick.ticket.id);
        now += s.serviceMs;
        continue;
      }
      const events = [arrivals[next]?.at, ...slots.filter((slot) => slot > now)].filter((x): x is number => x !== undefined && x > now);
      if (events.length === 0) break;
      now = Math.min(...events);
    }
    const walkInWaits = arrivals.filter((x) => x.t.appointmentAt === null).map((x) => (calledAt.get(x.t.id) ?? Infinity) - x.at);
    return { walkInWaits, served: calledAt.size, total: arrivals.length };
  }

  it('never lets a walk-in wait past its aging bound plus one service, whatever the appointments (property)', () => {
    const scenario = fc.record({
      serviceMs: fc.integer({ min: 2, max: 20 }).map((m) => m * MINUTE),
      ownQueue: fc.boolean(),
      weight: fc.integer({ min: 1, max: 9 }),
    }).chain((base) => fc.record({
      serviceMs: fc.constant(base.serviceMs),
      ownQueue: fc.constant(base.ownQueue),
      weight: fc.constant(base.weight),
      walkInGaps: fc.array(fc.integer({ min: base.serviceMs, max: base.serviceMs * 4 }), { minLength: 1, maxLength: 40 }),
      // Up to 120 bookings over eight hours: far more than one agent can serve.
      appointments: fc.array(fc.record({
        slot: fc.integer({ min: 0, max: 32 }).map((k) => k * 15 * MINUTE),
        arrival: fc.integer({ min: -60, max: 30 }).map((m) => m * MINUTE),
      }), { maxLength: 120 }),
    }));
    fc.assert(fc.property(scenario, (s) => {
      const { walkInWaits, served, total } = simulate(s);
      expect(served).toBe(total);
      for (const wait of walkInWaits) expect(wait).toBeLessThanOrEqual(BOUND_MS + s.serviceMs);
    }), { numRuns: 150 });
  });

  it('would let the appointments starve walk-ins without the bound', () => {
    const flood = {
      serviceMs: 10 * MINUTE, ownQueue: false, weight: 1, walkInGaps: [MINUTE * 10],
      appointments: Array.from({ length: 60 }, (_, i) => ({ slot: Math.floor(i / 2) * 15 * MINUTE, arrival: -30 * MINUTE })),
    };
    const bounded = simulate(flood).walkInWaits[0]!;
    expect(bounded).toBeLessThanOrEqual(BOUND_MS + flood.serviceMs);
    expect(simulate(flood, { ...config, walkInMaxWaitSeconds: 1e9 }).walkInWaits[0]!).toBeGreaterThan(4 * 3_600_000);
  });
});

describe('remote tickets (joined from a phone)', () => {
  const q = queue('a', { remoteHoldSeconds: 300 });
  const away = (id: string, createdAt: EpochMs, heldAt: EpochMs | null = null) => ticket(id, 'a', { createdAt, remote: { heldAt } });

  it('keeps the place of a remote ticket in line but calls the next present one, starting its hold', () => {
    const waiting = [away('remote', NOW - 20 * MINUTE), ticket('here', 'a', { createdAt: NOW - 10 * MINUTE })];
    expect(orderWaiting(q, waiting, config, NOW).map((r) => r.ticket.id)).toEqual(['remote', 'here']);
    const pick = pickNext({ queues: [q], waiting }, agent(['a']), config, NOW);
    expect(pick?.ticket.id).toBe('here');
    expect(pick?.hold).toEqual(['remote']);
  });

  it('does not start a hold twice, and starts none for a remote ticket whose turn has not come', () => {
    const held = [away('remote', NOW - 20 * MINUTE, NOW - MINUTE), ticket('here', 'a', { createdAt: NOW - 10 * MINUTE })];
    expect(pickNext({ queues: [q], waiting: held }, agent(['a']), config, NOW)?.hold).toEqual([]);
    const behind = [ticket('here', 'a', { createdAt: NOW - 30 * MINUTE }), away('remote', NOW - 20 * MINUTE)];
    expect(pickNext({ queues: [q], waiting: behind }, agent(['a']), config, NOW)?.hold).toEqual([]);
  });

  it('calls a remote ticket at its place once it has checked in', () => {
    const arrived = [ticket('was-remote', 'a', { createdAt: NOW - 20 * MINUTE }), ticket('here', 'a', { createdAt: NOW - 10 * MINUTE })];
    expect(pickNext({ queues: [q], waiting: arrived }, agent(['a']), config, NOW)?.ticket.id).toBe('was-remote');
  });

  it('drops a held remote ticket once its hold has run out, not before', () => {
    const held = away('remote', NOW - 20 * MINUTE, NOW - 5 * MINUTE);
    expect(expiredRemoteHolds([q], [held], NOW - 1)).toEqual([]);
    expect(expiredRemoteHolds([q], [held], NOW)).toEqual(['remote']);
    expect(expiredRemoteHolds([queue('a', { remoteHoldSeconds: 600 })], [held], NOW)).toEqual([]);
    expect(expiredRemoteHolds([q], [away('never-held', NOW - 60 * MINUTE)], NOW)).toEqual([]);
  });

  it('starts the hold of the remote heads when nothing else is callable', () => {
    const input = { queues: [q], waiting: [away('r1', NOW - 20 * MINUTE), away('r2', NOW - 10 * MINUTE)] };
    expect(pickNext(input, agent(['a']), config, NOW)).toBeNull();
    expect(awayHeads(input, agent(['a']), config, NOW)).toEqual(['r1', 'r2']);
    expect(awayHeads(input, agent(['b' as QueueId]), config, NOW)).toEqual([]);
  });
});
