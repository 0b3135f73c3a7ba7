import { qb, type Db } from '../db/sqlite.ts';
import type { DeviceAgentHub } from '../realtime/device-agents.ts';
import type { Font } from '../../hardware/escpos/truetype.ts';
import type { EventBus } from '../use-cases/events.ts';
import { PRINT_JOB_TYPE, printerLine, printIssuedTicket } from '../use-cases/printing.ts';
import { createPrintJobHandler, DEFAULT_PRINTING_OPTIONS, type PrintingOptions } from './print-job.ts';
import { PrinterLocks, printerOpener } from './printer-access.ts';
import { DEFAULT_PRINTER_HEALTH, startPrinterHealth, type PrinterHealthOptions } from './printer-health.ts';
import { DEFAULT_TIMEOUTS } from '../../hardware/transports/transport.ts';
import { JobRunner, type RunnerOptions } from './runner.ts';
import type { Logger } from 'pino';

export type JobsOptions = Readonly<{
  runner?: Partial<RunnerOptions>;
  printing?: Partial<PrintingOptions>;
  /** Status reads of idle printers (intervalMs 0: none). */
  health?: Partial<PrinterHealthOptions>;
  font?: Font | null;
  logger?: Logger;
}>;

/**
 * Starts the durable job runner with the print handler, and prints kiosk tickets: a committed
 * `ticket.created` from a kiosk with a printer queues a print job; any queued print job wakes the runner.
 */
export function startJobs(
  db: Db, events: EventBus, now: () => number, options: JobsOptions = {}, agents?: DeviceAgentHub,
): { runner: JobRunner; health: ReturnType<typeof startPrinterHealth>; stop(): Promise<void> } {
  const printing: PrintingOptions = { ...DEFAULT_PRINTING_OPTIONS, ...options.printing };
  const locks = new PrinterLocks();
  const open = printerOpener({ ...DEFAULT_TIMEOUTS, ...printing.timeouts }, agents);
  const runner = new JobRunner(db, now, { [PRINT_JOB_TYPE]: createPrintJobHandler({ db, events, now, options: printing, font: options.font ?? null, locks, open }) },
    { ...options.runner, ...(options.logger ? { logger: options.logger } : {}) });
  const health = startPrinterHealth({ db, events, now, locks, open, options: { ...DEFAULT_PRINTER_HEALTH, ...options.health }, ...(options.logger ? { logger: options.logger } : {}) });
  // A print agent came (back): what waited for its printers prints now, not at the next retry.
  const stopWaking = agents?.onConnected((deviceId) => {
    wakePrintJobsOfAgent(db, deviceId, now());
    runner.nudge();
  });
  const unsubscribe = events.subscribe((event) => {
    // Any path that issues a ticket from a kiosk (ticket, appointment check-in) prints: the kiosk is found from the device.
    if (event.kind === 'ticket' && event.event === 'ticket.created') {
      printIssuedTicket({ db, events }, { tenantId: event.tenantId, ticket: event.ticket }, now());
    } else if (event.kind === 'print-job' && (event.job.status === 'pending' || (event.job.status === 'waiting' && event.job.attempts === 0))) {
      runner.nudge();
    }
  });
  runner.start();
  return {
    runner,
    health,
    async stop() {
      unsubscribe();
      stopWaking?.();
      await health.stop();
      await runner.stop();
    },
  };
}

/** Makes the waiting print jobs of an agent's printers due now. */
export function wakePrintJobsOfAgent(db: Db, deviceId: string, now: number): void {
  const lines = db.all(qb.selectFrom('printer').select('id').where('agent_device_id', '=', deviceId)).map((p) => printerLine(p.id));
  if (lines.length === 0) return;
  db.run(qb.updateTable('job').set({ run_at: now, updated_at: now })
    .where('status', '=', 'pending').where('type', '=', PRINT_JOB_TYPE).where('ordering_key', 'in', lines).where('run_at', '>', now));
}
