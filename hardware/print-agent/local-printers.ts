import type { AgentPrinterAddress } from '../../branch-server/contract/device-agent.contract.ts';
import { openTransport } from '../transports/open-transport.ts';
import type { PrinterStatus } from '../transports/printer-status.ts';
import type { PrinterTransport, TransportTimeouts } from '../transports/transport.ts';

type Open = (address: AgentPrinterAddress, timeouts: Partial<TransportTimeouts>) => PrinterTransport;

/**
 * The printers attached to this PC, as the branch server addresses them. A connection (TCP socket,
 * serial port, USB interface) is opened by a job's status request, reused for its print request and
 * closed on `release` — as the branch server does for its own printers — or when the address changed.
 */
export class LocalPrinters {
  readonly #open: Open;
  readonly #connections = new Map<string, { key: string; transport: PrinterTransport }>();
  #timeouts: Partial<TransportTimeouts> = {};

  constructor(open: Open = openTransport) {
    this.#open = open;
  }

  setTimeouts(timeouts: Partial<TransportTimeouts>): void {
    this.#timeouts = timeouts;
  }

  async status(address: AgentPrinterAddress): Promise<PrinterStatus> {
    return (await this.#transport(address)).status();
  }

  async print(address: AgentPrinterAddress, bytes: Uint8Array): Promise<void> {
    await (await this.#transport(address)).write(bytes);
  }

  async release(printerId: string): Promise<void> {
    const entry = this.#connections.get(printerId);
    this.#connections.delete(printerId);
    await entry?.transport.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#connections.keys()].map((id) => this.release(id)));
  }

  async #transport(address: AgentPrinterAddress): Promise<PrinterTransport> {
    const key = JSON.stringify([address.transport, address.host, address.port, address.path, address.baud_rate, address.vendor_id, address.product_id]);
    const entry = this.#connections.get(address.id);
    if (entry?.key === key) return entry.transport;
    if (entry) await this.release(address.id);
    const transport = this.#open(address, this.#timeouts);
    this.#connections.set(address.id, { key, transport });
    return transport;
  }
}
