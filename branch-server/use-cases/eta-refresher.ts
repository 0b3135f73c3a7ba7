import type { Db } from '../db/sqlite.ts';
import type { DomainEvent, EventBus } from './events.ts';
import { etaEvent } from './publish.ts';

/**
 * A queue's refresh may cost at most this share of the time between two of its refreshes: a
 * refresh that took 2 ms (a line of ~900 waiting) waits 2 / 0.02 = 100 ms before the next one.
 */
const MAX_CPU_SHARE = 0.02;
/** However slow a refresh was, positions and ETAs are never older than this. */
const MAX_DELAY_MS = 1_000;

/**
 * Turns `queue-changed` marks into `queue-etas` pushes. Computing a queue's order and ETAs costs in
 * proportion to its waiting line, so during a rush (16 kiosks, ~900 waiting) recomputing it after
 * every ticket would make each issuance pay for the whole line. Instead changes are coalesced per
 * queue: the first change after a quiet period is refreshed on the next turn of the event loop (what
 * a lone agent's press sees), and a busy queue is refreshed again only after a pause proportional to
 * what its last refresh cost, so refreshing takes at most MAX_CPU_SHARE of the CPU however fast
 * tickets arrive. Every change is covered by a refresh that starts after it, for the queues someone
 * watches (`watched`: a staff console, a device or a tracking page).
 */
export function attachEtaRefresher(db: Db, events: EventBus, now: () => number, watched: (queueId: string) => boolean = () => true): () => void {
  type Mark = Extract<DomainEvent, { kind: 'queue-changed' }>;
  const pending = new Map<string, Mark>();
  /** Per queue: earliest performance.now() of its next refresh. */
  const notBefore = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let scheduled = false;
  let closed = false;

  const refresh = (marks: readonly Mark[]) => {
    if (closed || !db.sqlite.open) return; // the server closed meanwhile
    const at = now();
    const out: DomainEvent[] = [];
    for (const q of marks) {
      // Nobody on the queue's channels and no tracking page open: nothing to push. Whoever opens one
      // later gets the live order in its snapshot, and the refreshes after that.
      if (!watched(q.queueId)) continue;
      const started = performance.now();
      out.push(etaEvent(db, {
        tenantId: q.tenantId, tenantSlug: q.tenantSlug, now: at, origin: '', role: null,
        actor: { userId: null, deviceId: null, ip: '', userAgent: 'system', endpoint: 'eta-refresh' },
      }, q.queueId));
      const finished = performance.now();
      notBefore.set(q.queueId, finished + Math.min(MAX_DELAY_MS, (finished - started) / MAX_CPU_SHARE));
    }
    events.publish(out);
  };

  const flush = () => {
    scheduled = false;
    const due: Mark[] = [];
    const t = performance.now();
    for (const [queueId, mark] of pending) {
      if (timers.has(queueId)) continue; // a delayed refresh of this queue is already set
      const wait = (notBefore.get(queueId) ?? 0) - t;
      if (wait <= 0) {
        due.push(mark);
        pending.delete(queueId);
      } else {
        timers.set(queueId, setTimeout(() => {
          timers.delete(queueId);
          const latest = pending.get(queueId);
          pending.delete(queueId);
          if (latest) refresh([latest]);
        }, Math.ceil(wait)));
      }
    }
    if (due.length > 0) refresh(due);
  };

  const unsubscribe = events.subscribe((event) => {
    if (event.kind !== 'queue-changed') return;
    pending.set(event.queueId, event);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  return () => {
    closed = true;
    unsubscribe();
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  };
}
