import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { attachEtaRefresher } from '../../../branch-server/use-cases/eta-refresher.ts';
import { EventBus, type DomainEvent } from '../../../branch-server/use-cases/events.ts';
import { openDemoDb, type DemoDb } from '../../helpers/demo-db.ts';

const NOW = Date.UTC(2026, 10, 30, 9, 0, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The ETA refresher turns "this queue's line changed" into a push of every waiting ticket's position
 * and ETA, for the queues someone watches (a staff console, a device, a tracking page). A queue
 * nobody watches costs nothing however long its line; once watched, its changes are pushed again.
 */
describe('the ETA refresher', () => {
  let demo: DemoDb;
  let db: Db;
  let tenantId: string;
  let queues: string[];
  beforeAll(async () => {
    demo = await openDemoDb('sq-eta-refresher-', NOW);
    ({ db, tenantId } = demo);
    queues = demo.demo.queues.map((q) => q.id).slice(0, 2);
    const insert = db.sqlite.prepare(`INSERT INTO ticket (id, tenant_id, site_id, queue_id, public_id, number, seq, business_date, channel,
      priority, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-11-30', 'kiosk', 0, 'en_attente', ?, ?)`);
    for (const [q, queueId] of queues.entries()) {
      for (let i = 0; i < 3; i += 1) {
        const at = NOW - (3 - i) * 60_000;
        const id = uuidv7(at);
        insert.run(id, tenantId, demo.demo.siteId, queueId, `pub-${q}-${i}`, `${q ? 'B' : 'A'}00${i + 1}`, i + 1, at, at);
      }
    }
  });
  afterAll(() => demo?.close());

  it('pushes positions for the queues someone watches, and computes nothing for the others', async () => {
    const events = new EventBus();
    const watchedQueues = new Set([queues[0]!]);
    const detach = attachEtaRefresher(db, events, () => NOW, (queueId) => watchedQueues.has(queueId));
    const pushed: Extract<DomainEvent, { kind: 'queue-etas' }>[] = [];
    events.subscribe((e) => { if (e.kind === 'queue-etas') pushed.push(e); });
    const changed = (queueId: string): DomainEvent => ({ kind: 'queue-changed', tenantId, tenantSlug: 'bank', queueId });
    try {
      events.publish([changed(queues[0]!), changed(queues[1]!)]);
      await sleep(50);
      expect(pushed.map((e) => e.queueId)).toEqual([queues[0]]);
      expect(pushed[0]!.waiting.map((w) => [w.number, w.public_id, w.position])).toEqual([['A001', 'pub-0-0', 1], ['A002', 'pub-0-1', 2], ['A003', 'pub-0-2', 3]]);

      // Someone opens the second queue: its next change is pushed.
      watchedQueues.add(queues[1]!);
      await sleep(1_100); // past the first queue's pause between refreshes
      pushed.length = 0;
      events.publish([changed(queues[1]!)]);
      await sleep(50);
      expect(pushed.map((e) => [e.queueId, e.waiting.map((w) => w.number)])).toEqual([[queues[1], ['B001', 'B002', 'B003']]]);
    } finally {
      detach();
    }
  });
});
