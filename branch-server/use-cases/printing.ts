import type { PrinterAlert, PrintJobDto } from '../contract/printing.contract.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { getTicketRow, trackingUrl } from '../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { PrintJobRow } from '../db/tables/print-job.table.ts';
import type { PrinterRow } from '../db/tables/printer.table.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import { enqueueJob } from '../jobs/runner.ts';
import type { TestPageInfo, TicketPrint } from '../../hardware/escpos/layout.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import type { DomainEvent } from './events.ts';
import { getPrinterRow } from './printers.ts';

/** The job runner's job type for print jobs; one line per printer keeps its tickets in order. */
export const PRINT_JOB_TYPE = 'print';
export const printerLine = (printerId: string) => `printer:${printerId}`;

/** What a print job prints, stored as JSON in `print_job.payload` and rendered for whichever printer takes it. */
export type PrintPayload =
  | Readonly<{ kind: 'ticket'; ticket: TicketPrint; publicId: string }>
  | Readonly<{ kind: 'test'; page: TestPageInfo }>;

/** A kiosk may reprint only a ticket it issued itself, this recently (a customer who lost it walks to a desk). */
export const KIOSK_REPRINT_WINDOW_MS = 10 * 60_000;

export function encodePayload(payload: PrintPayload): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

export function decodePayload(payload: Buffer | null): PrintPayload | null {
  if (!payload) return null;
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8')) as PrintPayload;
  } catch {
    return null;
  }
}

/** The ticket as printed: service, site and its time zone, people ahead and ETA of this moment. */
export function ticketPrintOf(db: Db, ticket: TicketRow, origin: string, at: Readonly<{ position: number | null; etaSeconds: number | null }>): TicketPrint {
  const place = db.first(
    qb.selectFrom('queue')
      .innerJoin('service', 'service.id', 'queue.service_id')
      .innerJoin('site', 'site.id', 'queue.site_id')
      .select(['service.name as service_name', 'site.name as site_name', 'site.timezone as timezone'])
      .where('queue.id', '=', ticket.queue_id),
  );
  return {
    number: ticket.number,
    serviceName: place?.service_name ?? '',
    siteName: place?.site_name ?? '',
    issuedAt: ticket.created_at,
    timeZone: place?.timezone ?? 'UTC',
    peopleAhead: at.position === null ? null : Math.max(0, at.position - 1),
    etaSeconds: at.etaSeconds,
    trackingUrl: trackingUrl(origin, ticket.public_id),
    duplicate: false,
  };
}

export function toPrintJobDtos(db: Db, rows: readonly PrintJobRow[]): PrintJobDto[] {
  const ticketIds = [...new Set(rows.map((r) => r.ticket_id).filter((id): id is string => id !== null))];
  const numbers = new Map(ticketIds.length === 0 ? [] : db.all(qb.selectFrom('ticket').select(['id', 'number']).where('id', 'in', ticketIds)).map((t) => [t.id, t.number]));
  return rows.map((r) => ({
    id: r.id, printer_id: r.printer_id, printed_on_printer_id: r.printed_on_printer_id, ticket_id: r.ticket_id,
    ticket_number: r.ticket_id ? numbers.get(r.ticket_id) ?? null : null, kind: r.kind, status: r.status, printer_state: r.printer_state,
    attempts: r.attempts, last_error: r.last_error, created_at: new Date(r.created_at).toISOString(), updated_at: new Date(r.updated_at).toISOString(),
    printed_at: r.printed_at === null ? null : new Date(r.printed_at).toISOString(),
  }));
}

function tenantSlugOf(db: Db, tenantId: string): string {
  return db.first(qb.selectFrom('tenant').select('slug').where('id', '=', tenantId))?.slug ?? '';
}

export function printJobEvent(db: Db, row: PrintJobRow): DomainEvent {
  return { kind: 'print-job', tenantId: row.tenant_id, tenantSlug: tenantSlugOf(db, row.tenant_id), job: toPrintJobDtos(db, [row])[0]! };
}

/**
 * Inserts the print job and its runner job. Call inside a transaction. When the printer's line is
 * already held by a waiting job (paper out, no fallback), the new job is marked waiting at once, so
 * the kiosk hears now that its ticket will not print, not after the jobs ahead of it.
 */
function insertPrintJob(db: Db, input: Readonly<{ tenantId: string; printerId: string; ticketId: string | null; kind: PrintJobRow['kind']; payload: PrintPayload }>, now: number): PrintJobRow {
  const held = db.first(qb.selectFrom('print_job').select(['last_error', 'printer_state']).where('printer_id', '=', input.printerId)
    .where('status', '=', 'waiting').orderBy('id').limit(1));
  const row: PrintJobRow = {
    id: uuidv7(now), tenant_id: input.tenantId, printer_id: input.printerId, ticket_id: input.ticketId, kind: input.kind,
    payload: encodePayload(input.payload), status: held ? 'waiting' : 'pending', printed_on_printer_id: null,
    printer_state: held?.printer_state ?? '', attempts: 0, last_error: held ? `Waiting behind an earlier job. ${held.last_error}` : '',
    created_at: now, updated_at: now, printed_at: null,
  };
  db.run(qb.insertInto('print_job').values(row));
  // A print job is retried on transport errors (3 attempts); a printer out of paper makes it wait instead.
  enqueueJob(db, { type: PRINT_JOB_TYPE, payload: { print_job_id: row.id }, orderingKey: printerLine(input.printerId), maxAttempts: 3 }, now);
  return row;
}

/** The events of a newly queued job: the job itself, and an alert when it is held behind a blocked printer. */
function queuedEvents(db: Db, row: PrintJobRow, now: number): DomainEvent[] {
  const events = [printJobEvent(db, row)];
  const printer = row.status === 'waiting' ? db.first(qb.selectFrom('printer').selectAll().where('id', '=', row.printer_id)) : undefined;
  if (printer) {
    const state = row.printer_state;
    const condition = state === 'paper-out' || state === 'cover-open' ? state : 'offline';
    events.push(printerAlertEvent(db, printer, row, condition, row.last_error, now));
  }
  return events;
}

/**
 * After a kiosk issued a ticket (the ticket is committed): if that kiosk has a printer, queue the
 * print. The kiosk is found from the device recorded on the ticket's creation event, so every path
 * that issues a ticket from a kiosk (ticket, appointment check-in) prints without knowing about printers.
 */
export function printIssuedTicket(deps: UseCaseDeps, event: Readonly<{ tenantId: string; ticket: TicketDto }>, now: number): PrintJobRow | null {
  const { db } = deps;
  // Raw SQL: asked for every ticket issued. A kiosk's own print agent (its scanner checking in an
  // appointment) prints on the kiosk's printer too.
  const kiosk = db.raw<{ printer_id: string | null }>(
    `SELECT kiosk.printer_id FROM ticket_event
     JOIN device ON device.id = ticket_event.actor_device_id JOIN kiosk ON kiosk.id = device.kiosk_id
     WHERE ticket_event.ticket_id = ? AND ticket_event.type = 'ticket.created' AND device.type IN ('kiosk', 'print_agent')`,
    event.ticket.id,
  )[0];
  if (!kiosk?.printer_id) return null;
  const printerId = kiosk.printer_id;
  const row = db.tx(() => {
    const ticket = getTicketRow(db, event.tenantId, event.ticket.id);
    const origin = event.ticket.tracking_url.slice(0, event.ticket.tracking_url.length - `/t/${ticket.public_id}`.length);
    const print = ticketPrintOf(db, ticket, origin, { position: event.ticket.position, etaSeconds: event.ticket.eta_seconds });
    return insertPrintJob(db, { tenantId: event.tenantId, printerId, ticketId: ticket.id, kind: 'ticket', payload: { kind: 'ticket', ticket: print, publicId: ticket.public_id } }, now);
  });
  deps.events.publish(queuedEvents(db, row, now));
  return row;
}

export type Requester = Readonly<{ kind: 'user' } | { kind: 'device'; deviceId: string; kioskId: string | null }>;

/**
 * Reprints a ticket: the same number, people ahead and ETA as first printed, marked as a duplicate.
 * Never a new number. A kiosk may reprint only its own ticket, within 10 minutes, on its own printer.
 */
export function reprintTicket(deps: UseCaseDeps, caller: Caller, requester: Requester, ticketId: string, printerId: string | undefined): PrintJobDto {
  const { db } = deps;
  const row = db.tx(() => {
    const ticket = getTicketRow(db, caller.tenantId, ticketId);
    let target: string | null = null;
    if (requester.kind === 'device') {
      const issuedHere = db.first(qb.selectFrom('ticket_event').select('id').where('ticket_id', '=', ticket.id)
        .where('type', '=', 'ticket.created').where('actor_device_id', '=', requester.deviceId));
      if (!issuedHere || caller.now - ticket.created_at > KIOSK_REPRINT_WINDOW_MS) {
        throw new DomainError('forbidden', 'A kiosk may reprint only a ticket it issued in the last 10 minutes. Ask at a desk.');
      }
      if (printerId) throw new DomainError('validation-failed', 'printer_id: a kiosk prints on its own printer.', [{ field: 'printer_id', message: 'not allowed from a kiosk' }]);
      target = requester.kioskId ? db.first(qb.selectFrom('kiosk').select('printer_id').where('id', '=', requester.kioskId))?.printer_id ?? null : null;
    } else if (printerId) {
      const found = db.first(qb.selectFrom('printer').select('id').where('id', '=', printerId).where('tenant_id', '=', caller.tenantId));
      if (!found) throw new DomainError('invalid-reference', 'printer_id: unknown printer.', [{ field: 'printer_id', message: 'unknown printer' }]);
      target = found.id;
    }
    const first = db.first(qb.selectFrom('print_job').selectAll().where('ticket_id', '=', ticket.id).where('kind', '=', 'ticket').orderBy('id').limit(1));
    target ??= first ? first.printed_on_printer_id ?? first.printer_id : null;
    if (!target) {
      throw new DomainError('validation-failed', 'printer_id: this ticket was never printed; say which printer to use.', [{ field: 'printer_id', message: 'required' }]);
    }
    const original = decodePayload(first?.payload ?? null);
    const print: TicketPrint = original?.kind === 'ticket'
      ? original.ticket
      : ticketPrintOf(db, ticket, caller.origin, { position: null, etaSeconds: null });
    const job = insertPrintJob(db, {
      tenantId: caller.tenantId, printerId: target, ticketId: ticket.id, kind: 'reprint',
      payload: { kind: 'ticket', ticket: { ...print, duplicate: true }, publicId: ticket.public_id },
    }, caller.now);
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'ticket.reprinted', entity: 'ticket', entityId: ticket.id, after: { print_job_id: job.id, printer_id: target } }, caller.now);
    return job;
  });
  deps.events.publish(queuedEvents(db, row, caller.now));
  return toPrintJobDtos(db, [row])[0]!;
}

export function printTestPage(deps: UseCaseDeps, caller: Caller, printerId: string): PrintJobDto {
  const { db } = deps;
  const row = db.tx(() => {
    const printer = getPrinterRow(db, caller.tenantId, printerId);
    const timeZone = printer.site_id ? db.first(qb.selectFrom('site').select('timezone').where('id', '=', printer.site_id))?.timezone ?? 'UTC' : 'UTC';
    const job = insertPrintJob(db, {
      tenantId: caller.tenantId, printerId, ticketId: null, kind: 'test',
      payload: { kind: 'test', page: { printerName: printer.name, transport: printer.transport, at: caller.now, timeZone } },
    }, caller.now);
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'printer.tested', entity: 'printer', entityId: printerId, after: { print_job_id: job.id } }, caller.now);
    return job;
  });
  deps.events.publish(queuedEvents(db, row, caller.now));
  return toPrintJobDtos(db, [row])[0]!;
}

/** Kiosks that print on this printer: they show the ticket on screen when it cannot print. */
export function kiosksOf(db: Db, printerId: string): string[] {
  return db.all(qb.selectFrom('kiosk').select('id').where('printer_id', '=', printerId).orderBy('id')).map((k) => k.id);
}

export function printerAlertEvent(
  db: Db,
  printer: PrinterRow,
  job: PrintJobRow | null,
  condition: PrinterAlert['condition'],
  message: string,
  now: number,
): DomainEvent {
  const payload = job ? decodePayload(job.payload) : null;
  const ticket = payload?.kind === 'ticket' ? payload : null;
  return {
    kind: 'printer-alert', tenantId: printer.tenant_id, tenantSlug: tenantSlugOf(db, printer.tenant_id),
    alert: {
      type: 'printer_alert', condition,
      blocking: ['paper-out', 'cover-open', 'offline', 'print-failed'].includes(condition),
      printer_id: printer.id, printer_name: printer.name, message,
      print_job_id: job?.id ?? null, ticket_id: job?.ticket_id ?? null, ticket_number: ticket?.ticket.number ?? null,
      public_id: ticket?.publicId ?? null, tracking_url: ticket?.ticket.trackingUrl ?? null,
      kiosk_ids: kiosksOf(db, printer.id), at: new Date(now).toISOString(),
    },
  };
}
