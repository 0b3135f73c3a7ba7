import type { PrinterRow } from '../db/tables/printer.table.ts';
import type { DeviceAgentHub } from '../realtime/device-agents.ts';
import type { PrinterStatus } from '../../hardware/transports/printer-status.ts';
import { openTransport } from '../../hardware/transports/open-transport.ts';
import { TransportError, type PrinterTransport, type TransportTimeouts } from '../../hardware/transports/transport.ts';
import { AgentPrinter } from './agent-printer.ts';

/**
 * One user of a printer at a time in this process: a print job and a health check never talk to
 * the same printer together (a serial port opens once; a network printer serves one connection and
 * would leave the other's status request unanswered).
 */
export class PrinterLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits for the printer, then holds it until the returned function is called. */
  async acquire(printerId: string): Promise<() => void> {
    const previous = this.#tails.get(printerId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(printerId, tail);
    await previous;
    return () => {
      release();
      if (this.#tails.get(printerId) === tail) this.#tails.delete(printerId);
    };
  }

  /** Whether someone holds or waits for this printer now. */
  busy(printerId: string): boolean {
    return this.#tails.has(printerId);
  }
}

/** How the branch server reaches a printer: directly, or through the print agent on the PC it is plugged into. */
export function printerOpener(timeouts: TransportTimeouts, agents: DeviceAgentHub | undefined): (printer: PrinterRow, printJobId: string) => PrinterTransport {
  return (printer, printJobId) => {
    if (printer.agent_device_id === null) return openTransport(printer, timeouts);
    if (!agents) return new UnreachablePrinter(`${printer.name} is attached to a print agent, and this server runs without them.`);
    return new AgentPrinter(agents, printer.agent_device_id, printer, printJobId, timeouts);
  };
}

/** A printer that cannot be reached from here: offline, with the reason. */
class UnreachablePrinter implements PrinterTransport {
  readonly #reason: string;
  constructor(reason: string) {
    this.#reason = reason;
  }
  async status(): Promise<PrinterStatus> {
    return { state: 'offline', online: false, paper: 'unknown', coverOpen: null, detail: this.#reason };
  }
  async write(): Promise<void> {
    throw new TransportError('not-supported', this.#reason);
  }
  async close(): Promise<void> {}
}
