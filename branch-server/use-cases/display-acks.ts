import type { TicketDisplayAcksDto } from '../contract/display-acks.contract.ts';
import { parseJsonColumn } from '../db/repositories/device-config.repository.ts';
import { iso } from '../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { DisplayRow } from '../db/tables/display.table.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { DomainError } from '../domain/errors.ts';

export type DisplayAck = Readonly<{
  tenantId: string;
  displayId: string;
  deviceId: string;
  ticketId: string;
  /** Which call: defaults to the ticket's current one. */
  recallCount?: number | undefined;
  played: boolean;
}>;

function showsQueue(display: Pick<DisplayRow, 'queue_ids'>, queueId: string): boolean {
  const ids = parseJsonColumn<string[]>(display.queue_ids, []);
  return ids.length === 0 || ids.includes(queueId);
}

/**
 * Records that a display rendered and announced a call. Idempotent (a display resends after a
 * reconnect). Not audited and not synced: it is delivery telemetry about a call, like a device's
 * last_seen_at, not a change to the ticket — the call itself is in ticket_event and the audit log.
 */
/**
 * Rows read for one batch of acks, inside its transaction: a call is acknowledged by every display
 * of its queue within moments, so one batch holds many acks of the same ticket and display.
 */
export type AckLookups = {
  readonly displays: Map<string, (Pick<DisplayRow, 'id'> & { shows: (queueId: string) => boolean }) | undefined>;
  readonly tickets: Map<string, Pick<TicketRow, 'id' | 'queue_id' | 'recall_count' | 'called_at'> | undefined>;
};

export function newAckLookups(): AckLookups {
  return { displays: new Map(), tickets: new Map() };
}

export function recordDisplayAck(db: Db, ack: DisplayAck, now: number, lookups: AckLookups = newAckLookups()): void {
  db.tx(() => {
    const displayKey = `${ack.tenantId}:${ack.displayId}`;
    if (!lookups.displays.has(displayKey)) {
      const row = db.first(qb.selectFrom('display').select(['id', 'queue_ids']).where('id', '=', ack.displayId).where('tenant_id', '=', ack.tenantId));
      lookups.displays.set(displayKey, row && { id: row.id, shows: (queueId: string) => showsQueue(row, queueId) });
    }
    const display = lookups.displays.get(displayKey);
    if (!display) throw new DomainError('not-found', 'Display not found.');
    const ticketKey = `${ack.tenantId}:${ack.ticketId.toLowerCase()}`;
    if (!lookups.tickets.has(ticketKey)) {
      lookups.tickets.set(ticketKey, db.first(
        qb.selectFrom('ticket').select(['id', 'queue_id', 'recall_count', 'called_at'])
          .where('id', '=', ack.ticketId.toLowerCase()).where('tenant_id', '=', ack.tenantId),
      ));
    }
    const ticket = lookups.tickets.get(ticketKey);
    if (!ticket || !display.shows(ticket.queue_id)) throw new DomainError('not-found', 'Ticket not found on this display.');
    if (ticket.called_at === null) throw new DomainError('validation-failed', 'This ticket has not been called.');
    const recallCount = ack.recallCount ?? ticket.recall_count;
    if (recallCount > ticket.recall_count) throw new DomainError('validation-failed', 'recall_count: this call has not happened.');
    // Raw SQL: the one statement of the ack path that runs for every ack (a thousand a second in a rush).
    db.raw(
      `INSERT INTO display_ack (ticket_id, recall_count, display_id, tenant_id, device_id, played, acked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1`,
      ticket.id, recallCount, display.id, ack.tenantId, ack.deviceId, ack.played ? 1 : 0, now,
    );
  });
}

/** A ticket's calls as the displays acknowledged them, and which displays of its queue have not. */
export function ticketDisplayAcks(db: Db, tenantId: string, ticketId: string): TicketDisplayAcksDto {
  const ticket = db.first(
    qb.selectFrom('ticket').select(['id', 'number', 'queue_id', 'recall_count', 'called_at'])
      .where('id', '=', ticketId).where('tenant_id', '=', tenantId),
  );
  if (!ticket) throw new DomainError('not-found', 'Ticket not found.');
  const acks = db.all(
    qb.selectFrom('display_ack').innerJoin('display', 'display.id', 'display_ack.display_id')
      .select(['display_ack.display_id', 'display.name', 'display_ack.recall_count', 'display_ack.played', 'display_ack.acked_at'])
      .where('display_ack.ticket_id', '=', ticket.id).where('display_ack.tenant_id', '=', tenantId)
      .orderBy('display_ack.acked_at').orderBy('display_ack.display_id'),
  );
  const current = new Map(acks.filter((a) => a.recall_count === ticket.recall_count).map((a) => [a.display_id, a]));
  const displays = db.all(qb.selectFrom('display').select(['id', 'name', 'type', 'queue_ids']).where('tenant_id', '=', tenantId).orderBy('name').orderBy('id'))
    .filter((d) => showsQueue(d, ticket.queue_id) || current.has(d.id));
  return {
    ticket_id: ticket.id,
    number: ticket.number,
    recall_count: ticket.recall_count,
    called_at: iso(ticket.called_at),
    shown: current.size > 0,
    displays: displays.map((d) => {
      const ack = current.get(d.id);
      return { id: d.id, name: d.name, type: d.type, acked_at: ack ? new Date(ack.acked_at).toISOString() : null, played: ack ? ack.played === 1 : null };
    }),
    acks: acks.map((a) => ({
      display_id: a.display_id, display_name: a.name, recall_count: a.recall_count, played: a.played === 1, acked_at: new Date(a.acked_at).toISOString(),
    })),
  };
}
