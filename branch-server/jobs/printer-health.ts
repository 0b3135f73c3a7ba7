import { qb, type Db } from '../db/sqlite.ts';
import type { PrinterRow } from '../db/tables/printer.table.ts';
import type { PrinterAlert } from '../contract/printing.contract.ts';
import type { PrinterTransport } from '../../hardware/transports/transport.ts';
import type { PrinterStatus } from '../../hardware/transports/printer-status.ts';
import type { DomainEvent, EventSink } from '../use-cases/events.ts';
import { printerAlertEvent } from '../use-cases/printing.ts';
import { BLOCKING, describe, recordHealth } from './print-job.ts';
import type { PrinterLocks } from './printer-access.ts';
import type { Logger } from 'pino';
import { reportFailure } from '../ops/logger.ts';

export type PrinterHealthOptions = Readonly<{
  /** A printer not read for this long is read (0: never; tests and machines without printers). */
  intervalMs: number;
}>;

export const DEFAULT_PRINTER_HEALTH: PrinterHealthOptions = { intervalMs: 60_000 };

type Deps = Readonly<{
  db: Db;
  events: EventSink;
  now: () => number;
  options: PrinterHealthOptions;
  locks: PrinterLocks;
  open: (printer: PrinterRow, printJobId: string) => PrinterTransport;
  logger?: Logger;
}>;

/**
 * PURE: the alert a change of state deserves, if any. Staff hear when a printer stops being able to
 * print (before a customer finds out at the kiosk), runs low, or comes back.
 */
export function healthTransition(previous: string, next: PrinterStatus['state']): PrinterAlert['condition'] | null {
  const wasBlocked = BLOCKING.has(previous);
  if (BLOCKING.has(next)) return previous === next ? null : (next as 'paper-out' | 'cover-open' | 'offline');
  if (wasBlocked && (next === 'ok' || next === 'near-end')) return 'recovered';
  if (next === 'near-end' && previous !== 'near-end') return 'paper-near-end';
  return null;
}

/**
 * Reads the status of idle printers every `intervalMs` (DLE EOT, directly or through their print
 * agent), so the console's health is current without tickets being printed, and staff are told
 * when a printer stops being able to print. A printer with a print job under way is skipped: the
 * job reads its status itself. Checks run one printer at a time.
 */
export function startPrinterHealth(deps: Deps): { checkNow(): Promise<void>; stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;

  const checkOne = async (printer: PrinterRow): Promise<void> => {
    const release = await deps.locks.acquire(printer.id);
    const transport = deps.open(printer, `health-${printer.id}`);
    try {
      // Read again under the lock: a job may have just read it.
      const current = deps.db.first(qb.selectFrom('printer').selectAll().where('id', '=', printer.id));
      if (!current || (current.last_checked_at !== null && deps.now() - current.last_checked_at < deps.options.intervalMs)) return;
      const status = await transport.status();
      const now = deps.now();
      recordHealth(deps.db, current, status, now);
      const condition = healthTransition(current.status, status.state);
      if (condition) {
        const message = condition === 'recovered' ? `${current.name} can print again.` : condition === 'paper-near-end'
          ? `${current.name}: paper is running low. Change the roll soon.` : describe(current, status);
        deps.events.publish([printerAlertEvent(deps.db, current, null, condition, message, now)] as DomainEvent[]);
      }
    } finally {
      await transport.close().catch(() => undefined);
      release();
    }
  };

  const checkDue = async (): Promise<void> => {
    const due = deps.now() - deps.options.intervalMs;
    const printers = deps.db.all(qb.selectFrom('printer').selectAll()
      .where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<=', due)]))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('print_job').select('print_job.id')
        .whereRef('print_job.printer_id', '=', 'printer.id').where('print_job.status', 'in', ['pending', 'printing', 'waiting']))))
      .orderBy('id'));
    for (const printer of printers) {
      if (stopped) return;
      if (deps.locks.busy(printer.id)) continue;
      try {
        await checkOne(printer);
      } catch (error) {
        reportFailure(deps.logger, 'printer health: status read failed', error, { printer_id: printer.id });
      }
    }
  };

  const checkNow = (): Promise<void> => {
    running ??= checkDue().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = deps.options.intervalMs > 0 ? setInterval(() => void checkNow(), Math.max(1000, Math.floor(deps.options.intervalMs / 2))) : null;
  timer?.unref();
  return {
    checkNow,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
