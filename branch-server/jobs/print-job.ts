import { layoutWarnings } from '../../hardware/escpos/layout.ts';
import { parsePrintProfile } from '../../hardware/escpos/profile.ts';
import { renderTestPage, renderTicket } from '../../hardware/escpos/render-ticket.ts';
import type { PrinterStatus } from '../../hardware/transports/printer-status.ts';
import type { Font } from '../../hardware/escpos/truetype.ts';
import { DEFAULT_TIMEOUTS, TransportError, type PrinterTransport, type TransportTimeouts } from '../../hardware/transports/transport.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { PrintJobRow } from '../db/tables/print-job.table.ts';
import type { PrinterRow } from '../db/tables/printer.table.ts';
import type { EventSink, DomainEvent } from '../use-cases/events.ts';
import { decodePayload, printerAlertEvent, printJobEvent, type PrintPayload } from '../use-cases/printing.ts';
import type { DeviceAgentHub } from '../realtime/device-agents.ts';
import { ticketLogoOf, withTenantLogo } from '../use-cases/ticket-logo.ts';
import { PrinterLocks, printerOpener } from './printer-access.ts';
import type { JobHandler, JobOutcome } from './runner.ts';

export type PrintingOptions = Readonly<{
  timeouts: Partial<TransportTimeouts>;
  /** How often a waiting job (paper out, no fallback) looks at its printers again. */
  waitRetryMs: number;
  /** A ticket not printed by then is given up: the customer has the on-screen ticket and the phone page. */
  maxWaitMs: number;
}>;

export const DEFAULT_PRINTING_OPTIONS: PrintingOptions = { timeouts: {}, waitRetryMs: 5000, maxWaitMs: 15 * 60_000 };

type Deps = Readonly<{
  db: Db;
  events: EventSink;
  now: () => number;
  options: PrintingOptions;
  /** Draws Arabic lines; null: they are left out (with a note on the job). */
  font: Font | null;
  /** Print agents, for printers attached to another PC (`printer.agent_device_id`). */
  agents?: DeviceAgentHub;
  /** Shared with the health checks, so only one of them talks to a printer at a time. */
  locks?: PrinterLocks;
  open?: (printer: PrinterRow, printJobId: string) => PrinterTransport;
}>;

export const BLOCKING: ReadonlySet<string> = new Set(['paper-out', 'cover-open', 'offline']);

/**
 * Prints one print job: reads the printer's status (DLE EOT) first. Paper out, cover open or offline
 * → the next printer of the fallback chain; none can print → the job waits (alert published once) and
 * is tried again, until `maxWaitMs`. Near end → prints and warns; no answer → prints and records
 * "status unknown". The bytes are rendered for the printer that takes the job (its width, code page).
 */
export function createPrintJobHandler(deps: Deps): JobHandler {
  const timeouts: TransportTimeouts = { ...DEFAULT_TIMEOUTS, ...deps.options.timeouts };
  const open = deps.open ?? printerOpener(timeouts, deps.agents);
  const locks = deps.locks ?? new PrinterLocks();
  return async (job): Promise<JobOutcome> => {
    const { db } = deps;
    const printJobId = (job.payload as { print_job_id?: string }).print_job_id ?? '';
    const row = db.first(qb.selectFrom('print_job').selectAll().where('id', '=', printJobId));
    if (!row || row.status === 'printed' || row.status === 'failed') return { kind: 'done' };
    const payload = decodePayload(row.payload);
    if (!payload) return finish(deps, row, { status: 'failed', last_error: 'unreadable print job' }, []);
    const wasWaiting = row.status === 'waiting';
    // A waiting job stays 'waiting' while it looks again: jobs queued behind it keep seeing the line as held.
    update(db, row, { status: wasWaiting ? 'waiting' : 'printing', attempts: row.attempts + 1, updated_at: deps.now() });

    const blocked: Array<{ printer: PrinterRow; reason: string; state: string }> = [];
    for (const printer of fallbackChain(db, row.printer_id)) {
      const release = await locks.acquire(printer.id);
      const transport = open(printer, row.id);
      try {
        const status = await transport.status();
        recordHealth(db, printer, status, deps.now());
        if (BLOCKING.has(status.state)) {
          blocked.push({ printer, state: status.state, reason: describe(printer, status) });
          continue;
        }
        const profile = withTenantLogo(parsePrintProfile(safeJson(printer.profile)), ticketLogoOf(db, printer.tenant_id));
        await transport.write(render(payload, profile, deps.font));
        const now = deps.now();
        db.run(qb.updateTable('printer').set({ last_seen_at: now, last_error: '' }).where('id', '=', printer.id));
        const notes = [...layoutWarnings(profile, { arabic: deps.font !== null })];
        if (status.state === 'unknown') notes.unshift(`status unknown: ${status.detail ?? 'no answer'}`);
        const events: DomainEvent[] = [];
        const assigned = printer.id === row.printer_id ? printer : getPrinter(db, row.printer_id);
        if (status.state === 'near-end') {
          notes.unshift('paper near end');
          events.push(printerAlertEvent(db, printer, row, 'paper-near-end', `${printer.name}: paper is running low. Change the roll soon.`, now));
        }
        if (blocked.length > 0 && assigned) {
          events.push(printerAlertEvent(db, assigned, row, 'printed-on-fallback', `${blocked[0]!.reason} Ticket printed on ${printer.name}.`, now));
        } else if (wasWaiting && assigned) {
          events.push(printerAlertEvent(db, assigned, row, 'recovered', `${printer.name} is printing again.`, now));
        }
        return finish(deps, row, {
          status: 'printed', printed_on_printer_id: printer.id, printer_state: status.state, last_error: notes.join('; '), printed_at: now,
        }, events);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        db.run(qb.updateTable('printer').set({ last_error: message, status: 'offline', online: 0, last_checked_at: deps.now() }).where('id', '=', printer.id));
        blocked.push({ printer, state: 'offline', reason: `${printer.name}: ${message}` });
        // The print agent may have printed it: the job goes back to that agent (which never prints
        // a job twice) rather than to a fallback that would print a second ticket.
        if (error instanceof TransportError && error.code === 'outcome-unknown') break;
      } finally {
        await transport.close().catch(() => undefined);
        release();
      }
    }

    const now = deps.now();
    const assigned = getPrinter(db, row.printer_id);
    const reason = blocked.map((b) => b.reason).join(' ');
    if (now - row.created_at >= deps.options.maxWaitMs) {
      const events = assigned ? [printerAlertEvent(db, assigned, row, 'print-failed', `Gave up printing after ${Math.round(deps.options.maxWaitMs / 60_000)} min. ${reason}`, now)] : [];
      return finish(deps, row, { status: 'failed', printer_state: blocked[0]?.state ?? '', last_error: reason }, events);
    }
    const first = blocked[0];
    const condition = first?.state === 'paper-out' || first?.state === 'cover-open' ? first.state : 'offline';
    // Alert once, when the job starts waiting; retries stay quiet until it prints (then 'recovered').
    const events = !wasWaiting && assigned ? [printerAlertEvent(db, assigned, row, condition, reason, now)] : [];
    finish(deps, row, { status: 'waiting', printer_state: first?.state ?? '', last_error: reason }, events);
    return { kind: 'wait', reason, delayMs: deps.options.waitRetryMs };
  };
}

function render(payload: PrintPayload, profile: ReturnType<typeof parsePrintProfile>, font: Font | null): Uint8Array {
  return payload.kind === 'ticket' ? renderTicket(payload.ticket, profile, font) : renderTestPage(payload.page, profile, font);
}

/** The printer, then its fallback, then that one's fallback… (cycles are refused by the API; guarded anyway). */
function fallbackChain(db: Db, printerId: string): PrinterRow[] {
  const chain: PrinterRow[] = [];
  const seen = new Set<string>();
  for (let id: string | null = printerId; id && !seen.has(id) && chain.length < 4; ) {
    seen.add(id);
    const printer = getPrinter(db, id);
    if (!printer) break;
    chain.push(printer);
    id = printer.fallback_printer_id;
  }
  return chain;
}

function getPrinter(db: Db, id: string): PrinterRow | undefined {
  return db.first(qb.selectFrom('printer').selectAll().where('id', '=', id));
}

export function recordHealth(db: Db, printer: PrinterRow, status: PrinterStatus, now: number): void {
  const answered = status.state !== 'unknown' && status.online !== false;
  db.run(qb.updateTable('printer').set({
    status: status.state,
    online: status.online === null ? null : status.online ? 1 : 0,
    paper: status.paper,
    last_checked_at: now,
    ...(answered || status.state === 'paper-out' || status.state === 'cover-open' ? { last_seen_at: now } : {}),
    last_error: BLOCKING.has(status.state) ? describe(printer, status) : '',
  }).where('id', '=', printer.id));
}

export function describe(printer: PrinterRow, status: PrinterStatus): string {
  switch (status.state) {
    case 'paper-out': return `${printer.name}: out of paper.`;
    case 'cover-open': return `${printer.name}: cover open.`;
    case 'offline': return `${printer.name}: offline${status.detail ? ` (${status.detail})` : ''}.`;
    default: return `${printer.name}: ${status.state}.`;
  }
}

function update(db: Db, row: PrintJobRow, changes: Partial<PrintJobRow>): void {
  const { id: _id, tenant_id: _t, ...rest } = changes;
  db.run(qb.updateTable('print_job').set(rest).where('id', '=', row.id));
}

function finish(deps: Deps, row: PrintJobRow, changes: Partial<PrintJobRow>, alerts: DomainEvent[]): JobOutcome {
  const now = deps.now();
  update(deps.db, row, { ...changes, updated_at: now });
  const after = deps.db.first(qb.selectFrom('print_job').selectAll().where('id', '=', row.id))!;
  deps.events.publish([printJobEvent(deps.db, after), ...alerts]);
  return { kind: 'done' };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}
