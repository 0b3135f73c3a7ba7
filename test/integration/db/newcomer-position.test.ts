import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newcomerPosition } from '../../../branch-server/db/repositories/tickets.repository.ts';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import type { QueueId, TicketId } from '../../../branch-server/domain/ids.ts';
import { DEFAULT_POLICY_CONFIG, orderWaiting, type QueueAlgorithm, type WaitingTicket } from '../../../branch-server/domain/queue-policies.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { openDemoDb, type DemoDb } from '../../helpers/demo-db.ts';

const NOW = Date.UTC(2026, 10, 29, 10, 0, 0);
const MINUTE = 60_000;

/**
 * The issuance path places a new walk-in by counting in SQL; call-next and the ETA pushes sort the
 * line with the pure policy. Both must always agree on where the newcomer stands.
 */
describe('newcomerPosition (SQL count) agrees with orderWaiting (the policy)', () => {
  let demo: DemoDb;
  let db: Db;
  let queueId: string;
  let siteId: string;
  let tenantId: string;
  beforeAll(async () => {
    demo = await openDemoDb('sq-newcomer-', NOW);
    ({ db, tenantId } = demo);
    queueId = demo.demo.queues[0]!.id;
    siteId = demo.demo.siteId;
  });
  afterAll(() => demo?.close());

  const existing = fc.array(fc.record({
    priority: fc.integer({ min: 0, max: 9 }),
    waitedMinutes: fc.integer({ min: 0, max: 240 }),
    appointmentInMinutes: fc.option(fc.integer({ min: -60, max: 60 }), { nil: null }),
  }), { maxLength: 40 });

  it('for every algorithm, SLA, priority and mix of appointments', () => {
    fc.assert(fc.property(
      fc.constantFrom<QueueAlgorithm>('fifo', 'priority', 'sla'), fc.constantFrom(0, 300, 900), existing, fc.integer({ min: 0, max: 9 }),
      (algorithm, slaSeconds, others, newcomerPriority) => {
        db.sqlite.exec('DELETE FROM ticket');
        const insert = db.sqlite.prepare(`INSERT INTO ticket (id, tenant_id, site_id, queue_id, public_id, number, seq, business_date, channel,
          priority, status, appointment_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-11-29', 'kiosk', ?, 'en_attente', ?, ?, ?)`);
        const waiting: WaitingTicket[] = [];
        others.forEach((o, i) => {
          const createdAt = NOW - o.waitedMinutes * MINUTE;
          const id = uuidv7(createdAt);
          const appointmentAt = o.appointmentInMinutes === null ? null : NOW + o.appointmentInMinutes * MINUTE;
          insert.run(id, tenantId, siteId, queueId, `p${i}-${id}`, `A${i}`, i + 1, o.priority, appointmentAt, createdAt, createdAt);
          waiting.push({ id: id as TicketId, queueId: queueId as QueueId, priority: o.priority, createdAt, appointmentAt });
        });
        const newcomerId = uuidv7(NOW);
        insert.run(newcomerId, tenantId, siteId, queueId, `new-${newcomerId}`, 'A999', 999, newcomerPriority, null, NOW, NOW);
        waiting.push({ id: newcomerId as TicketId, queueId: queueId as QueueId, priority: newcomerPriority, createdAt: NOW, appointmentAt: null });

        const queue = { id: queueId as QueueId, algorithm, slaSeconds, weight: 1, status: 'open' as const };
        const expected = orderWaiting(queue, waiting, DEFAULT_POLICY_CONFIG, NOW).findIndex((r) => r.ticket.id === newcomerId) + 1;
        expect(newcomerPosition(db, queue, { id: newcomerId, priority: newcomerPriority }, DEFAULT_POLICY_CONFIG, NOW)).toBe(expected);
      },
    ), { numRuns: 300 });
  });
});

/**
 * The walk-ins a kiosk ticket queues behind are counted by triggers (queue_waiting), not read from
 * the line. Whatever writes a ticket (issuance, call, transfer, check-in, restore, retention), the
 * count must stay the line's true count.
 */
describe('queue_waiting (kept by triggers) counts the waiting walk-ins of each queue', () => {
  let demo: DemoDb;
  let db: Db;
  let queueIds: string[];
  let siteId: string;
  let tenantId: string;
  beforeAll(async () => {
    demo = await openDemoDb('sq-walk-ins-', NOW);
    ({ db, tenantId } = demo);
    queueIds = demo.demo.queues.map((q) => q.id).slice(0, 2);
    siteId = demo.demo.siteId;
  });
  afterAll(() => demo?.close());

  const STATUSES = ['en_attente', 'appele', 'en_service', 'pause', 'transfere', 'clos', 'no_show'] as const;
  const write = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), queue: fc.nat(1), status: fc.constantFrom(...STATUSES), appointment: fc.boolean() }),
    fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), status: fc.constantFrom(...STATUSES) }),
    fc.record({ kind: fc.constant('appointment' as const), pick: fc.nat(), appointment: fc.boolean() }),
    fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), queue: fc.nat(1) }),
    fc.record({ kind: fc.constant('several' as const), status: fc.constantFrom(...STATUSES) }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  );

  it('after any sequence of inserts, status changes, appointments, moves between queues and deletes', () => {
    fc.assert(fc.property(fc.array(write, { maxLength: 60 }), (writes) => {
      db.sqlite.exec('DELETE FROM ticket');
      const insert = db.sqlite.prepare(`INSERT INTO ticket (id, tenant_id, site_id, queue_id, public_id, number, seq, business_date, channel,
        priority, status, appointment_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-11-29', 'kiosk', 0, ?, ?, ?, ?)`);
      const ids = () => db.sqlite.prepare('SELECT id FROM ticket ORDER BY id').pluck().all() as string[];
      const pick = (n: number) => { const all = ids(); return all.length === 0 ? null : all[n % all.length]!; };
      writes.forEach((w, i) => {
        if (w.kind === 'insert') {
          const id = uuidv7(NOW + i);
          insert.run(id, tenantId, siteId, queueIds[w.queue]!, `p-${id}`, `A${i}`, i + 1, w.status, w.appointment ? NOW + MINUTE : null, NOW, NOW);
        } else if (w.kind === 'several') {
          db.sqlite.prepare(`UPDATE ticket SET status = ? WHERE rowid % 2 = 0`).run(w.status);
        } else {
          const id = pick(w.pick);
          if (id === null) return;
          if (w.kind === 'status') db.sqlite.prepare('UPDATE ticket SET status = ? WHERE id = ?').run(w.status, id);
          if (w.kind === 'appointment') db.sqlite.prepare('UPDATE ticket SET appointment_at = ? WHERE id = ?').run(w.appointment ? NOW : null, id);
          if (w.kind === 'move') db.sqlite.prepare('UPDATE ticket SET queue_id = ? WHERE id = ?').run(queueIds[w.queue]!, id);
          if (w.kind === 'delete') db.sqlite.prepare('DELETE FROM ticket WHERE id = ?').run(id);
        }
      });
      for (const queueId of queueIds) {
        const counted = db.sqlite.prepare('SELECT walk_ins FROM queue_waiting WHERE queue_id = ?').pluck().get(queueId) ?? 0;
        const actual = db.sqlite.prepare(`SELECT count(*) FROM ticket WHERE queue_id = ? AND status = 'en_attente' AND appointment_at IS NULL`).pluck().get(queueId);
        expect(counted, queueId).toBe(actual);
      }
    }), { numRuns: 200 });
  });
});
