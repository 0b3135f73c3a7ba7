import type { Db } from '../db/sqlite.ts';
import type { DomainEvent, EventBus } from './events.ts';
import { etaEvent } from './publish.ts';

/**
 * Turns `queue-changed` marks into `queue-etas` pushes, computing each queue's order and ETAs once
 * per turn of the event loop however many tickets changed in it (a morning rush at 16 kiosks must not
 * sort the same line sixteen times).
 */
export function attachEtaRefresher(db: Db, events: EventBus, now: () => number): () => void {
  const pending = new Map<string, Extract<DomainEvent, { kind: 'queue-changed' }>>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const queues = [...pending.values()];
    pending.clear();
    if (!db.sqlite.open) return; // the server closed meanwhile
    const at = now();
    events.publish(queues.map((q) => etaEvent(db, {
      tenantId: q.tenantId, tenantSlug: q.tenantSlug, now: at, origin: '', role: null,
      actor: { userId: null, deviceId: null, ip: '', userAgent: 'system', endpoint: 'eta-refresh' },
    }, q.queueId)));
  };
  return events.subscribe((event) => {
    if (event.kind !== 'queue-changed') return;
    pending.set(event.queueId, event);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}
