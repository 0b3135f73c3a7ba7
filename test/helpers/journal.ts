import { expect } from 'vitest';
import { verifyAuditChain } from '../../branch-server/db/repositories/audit.repository.ts';
import type { Db } from '../../branch-server/db/sqlite.ts';

/** High-water marks of the three journals every ticket change writes (ticket_event, audit_log, sync_outbox). */
export type JournalMark = Readonly<{ event: number; audit: number; outbox: number }>;

type EventRow = { rowid: number; id: string; ticket_id: string; type: string };
type AuditRow = { seq: number; id: string; action: string; entity: string; entity_id: string };
type OutboxRow = { seq: number; entity: string; entity_id: string; op: string };

export function journalMark(db: Db): JournalMark {
  const max = (sqlText: string) => (db.sqlite.prepare(sqlText).pluck().get() as number | null) ?? 0;
  return {
    event: max('SELECT max(rowid) FROM ticket_event'),
    audit: max('SELECT max(seq) FROM audit_log'),
    outbox: max('SELECT max(seq) FROM sync_outbox'),
  };
}

/**
 * Asserts that exactly the transitions `types` were journaled since `mark`, in order: one ticket_event
 * each, one audit row each (same action, same ticket), and for each the three outbox rows (the ticket,
 * the event, the audit row). An empty `types` asserts that nothing at all was written.
 */
export function expectJournaledSince(db: Db, mark: JournalMark, types: readonly string[]): EventRow[] {
  const events = db.sqlite.prepare('SELECT rowid, id, ticket_id, type FROM ticket_event WHERE rowid > ? ORDER BY rowid').all(mark.event) as EventRow[];
  const audits = db.sqlite.prepare('SELECT seq, id, action, entity, entity_id FROM audit_log WHERE seq > ? ORDER BY seq').all(mark.audit) as AuditRow[];
  const outbox = db.sqlite.prepare('SELECT seq, entity, entity_id, op FROM sync_outbox WHERE seq > ? ORDER BY seq').all(mark.outbox) as OutboxRow[];
  expect(events.map((e) => e.type)).toEqual(types);
  expect(audits.map((a) => [a.action, a.entity, a.entity_id])).toEqual(events.map((e) => [e.type, 'ticket', e.ticket_id]));
  expect(outbox).toHaveLength(events.length * 3);
  events.forEach((event, i) => {
    const rows = outbox.slice(i * 3, i * 3 + 3).map((o) => [o.entity, o.entity_id]);
    expect(rows).toEqual(expect.arrayContaining([
      ['ticket', event.ticket_id],
      ['ticket_event', event.id],
      ['audit_log', audits[i]!.id],
    ]));
  });
  return events;
}

/** Store-wide invariants that must hold whatever happened (including after a crash). */
export function expectStoreInvariants(db: Db): void {
  const one = (sqlText: string) => db.sqlite.prepare(sqlText).pluck().get();
  expect(verifyAuditChain(db)).toMatchObject({ ok: true, brokenAtSeq: null });
  // Every ticket was born with a 'ticket.created' event, its audit row and its uplink rows.
  expect(one(`SELECT count(*) FROM ticket t WHERE NOT EXISTS
    (SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.id AND e.type = 'ticket.created')`)).toBe(0);
  expect(one(`SELECT count(*) FROM ticket t WHERE NOT EXISTS
    (SELECT 1 FROM sync_outbox o WHERE o.entity = 'ticket' AND o.entity_id = t.id AND o.op = 'insert')`)).toBe(0);
  // Every ticket event has its audit row and its outbox row.
  expect(one(`SELECT count(*) FROM ticket_event`)).toBe(one(`SELECT count(*) FROM audit_log WHERE entity = 'ticket'`));
  expect(one(`SELECT count(*) FROM ticket_event e WHERE NOT EXISTS
    (SELECT 1 FROM sync_outbox o WHERE o.entity = 'ticket_event' AND o.entity_id = e.id)`)).toBe(0);
  // Numbers: one per (queue, business day, seq), and gap-free: the day's counter equals both the count
  // and the highest sequence issued (the counter moves in the ticket's own transaction).
  expect(db.sqlite.prepare(`SELECT queue_id, business_date, seq FROM ticket WHERE transferred_from IS NULL
    GROUP BY queue_id, business_date, seq HAVING count(*) > 1`).all()).toEqual([]);
  expect(db.sqlite.prepare(`SELECT c.queue_id, c.business_date, c.last_seq,
      (SELECT count(*) FROM ticket t WHERE t.queue_id = c.queue_id AND t.business_date = c.business_date AND t.transferred_from IS NULL) AS issued,
      (SELECT max(seq) FROM ticket t WHERE t.queue_id = c.queue_id AND t.business_date = c.business_date AND t.transferred_from IS NULL) AS top
    FROM queue_counter c WHERE c.last_seq <> issued OR c.last_seq <> top`).all()).toEqual([]);
}
