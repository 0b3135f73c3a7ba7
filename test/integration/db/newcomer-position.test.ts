import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../../branch-server/db/migrate.ts';
import { newcomerPosition } from '../../../branch-server/db/repositories/tickets.repository.ts';
import { Db, openSqlite } from '../../../branch-server/db/sqlite.ts';
import type { QueueId, TicketId } from '../../../branch-server/domain/ids.ts';
import { DEFAULT_POLICY_CONFIG, orderWaiting, type QueueAlgorithm, type WaitingTicket } from '../../../branch-server/domain/queue-policies.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { createTenant } from '../../../branch-server/use-cases/create-tenant.ts';

const NOW = Date.UTC(2026, 10, 29, 10, 0, 0);
const MINUTE = 60_000;

/**
 * The issuance path places a new walk-in by counting in SQL; call-next and the ETA pushes sort the
 * line with the pure policy. Both must always agree on where the newcomer stands.
 */
describe('newcomerPosition (SQL count) agrees with orderWaiting (the policy)', () => {
  let dir: string;
  let db: Db;
  let queueId: string;
  let siteId: string;
  let tenantId: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sq-newcomer-'));
    const sqlite = openSqlite(join(dir, 'branch.sqlite'));
    await migrateToLatest(sqlite);
    db = new Db(sqlite);
    const created = await createTenant(db, { name: 'Bank', slug: 'bank', adminEmail: 'a@bank.test', adminPassword: 'password-123', withDemoData: true }, NOW);
    queueId = created.demo!.queues[0]!.id;
    siteId = created.demo!.siteId;
    tenantId = created.tenantId;
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

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
