import type { AgentPrinterAddress, WirePrinterStatus } from '../contract/device-agent.contract.ts';
import type { PrinterRow } from '../db/tables/printer.table.ts';
import type { PrinterStatus } from '../../hardware/transports/printer-status.ts';
import { TransportError, type PrinterTransport, type TransportErrorCode, type TransportTimeouts } from '../../hardware/transports/transport.ts';
import { AgentUnreachable, type DeviceAgentHub } from '../realtime/device-agents.ts';

/** Added to the printer's own timeouts for the round trip to the agent's PC. */
export const AGENT_LATENCY_MS = 2000;

const TRANSPORT_CODES: ReadonlySet<string> = new Set<TransportErrorCode>([
  'connect-timeout', 'connect-failed', 'write-timeout', 'write-failed', 'closed', 'usb-unavailable', 'device-not-found', 'not-supported',
]);

export function agentAddressOf(printer: PrinterRow): AgentPrinterAddress {
  return {
    id: printer.id, name: printer.name, transport: printer.transport, host: printer.host, port: printer.port, path: printer.path,
    baud_rate: printer.baud_rate, vendor_id: printer.vendor_id, product_id: printer.product_id,
  };
}

export function fromWireStatus(status: WirePrinterStatus): PrinterStatus {
  return { state: status.state, online: status.online, paper: status.paper, coverOpen: status.cover_open, detail: status.detail };
}

/**
 * A printer attached to a print agent's PC, driven through the agent's ws connection: the same
 * `PrinterTransport` the print job handler uses for local printers. Not connected → the printer is
 * offline (the job goes to the fallback or waits). A print request the agent may have carried out
 * without answering fails with `outcome-unknown`: the job must then be sent to the same agent again
 * (which prints it at most once), never to a fallback that would print a second ticket.
 */
export class AgentPrinter implements PrinterTransport {
  readonly #hub: DeviceAgentHub;
  readonly #deviceId: string;
  readonly #printer: AgentPrinterAddress;
  readonly #jobId: string;
  readonly #timeouts: TransportTimeouts;
  #used = false;

  constructor(hub: DeviceAgentHub, deviceId: string, printer: PrinterRow, jobId: string, timeouts: TransportTimeouts) {
    this.#hub = hub;
    this.#deviceId = deviceId;
    this.#printer = agentAddressOf(printer);
    this.#jobId = jobId;
    this.#timeouts = timeouts;
  }

  async status(): Promise<PrinterStatus> {
    const timeoutMs = this.#timeouts.connectMs + 3 * this.#timeouts.statusMs + this.#timeouts.writeMs + AGENT_LATENCY_MS;
    try {
      this.#used = true;
      const result = await this.#hub.request(this.#deviceId, { type: 'status', printer: this.#printer }, timeoutMs);
      if (!result.ok) return offline(result.message);
      return result.status ? fromWireStatus(result.status) : offline('the print agent sent no status');
    } catch (error) {
      return offline(error instanceof Error ? error.message : String(error));
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    const timeoutMs = this.#timeouts.connectMs + this.#timeouts.writeMs + AGENT_LATENCY_MS;
    let result;
    try {
      this.#used = true;
      result = await this.#hub.request(this.#deviceId, {
        type: 'print', job_id: this.#jobId, printer: this.#printer, data: Buffer.from(bytes).toString('base64'),
      }, timeoutMs);
    } catch (error) {
      if (error instanceof AgentUnreachable) throw new TransportError(error.sent ? 'outcome-unknown' : 'connect-failed', error.message);
      throw error;
    }
    if (!result.ok) {
      throw new TransportError(TRANSPORT_CODES.has(result.code) ? (result.code as TransportErrorCode) : 'write-failed', result.message);
    }
  }

  async close(): Promise<void> {
    if (this.#used) this.#hub.notify(this.#deviceId, { type: 'release', printer_id: this.#printer.id });
  }
}

function offline(detail: string): PrinterStatus {
  return { state: 'offline', online: false, paper: 'unknown', coverOpen: null, detail };
}
