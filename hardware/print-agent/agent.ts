import { EventEmitter } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import {
  AgentServerMessage, DEVICE_AGENT_PATH, type AgentClientMessage, type AgentInputConfig, type WirePrinterStatus,
} from '../../branch-server/contract/device-agent.contract.ts';
import { DEFAULT_INPUT_SOURCES, DEFAULT_INPUT_TIMINGS, openInput, type InputSources, type InputTimings } from '../inputs/input-device.ts';
import type { PrinterStatus } from '../transports/printer-status.ts';
import { TransportError } from '../transports/transport.ts';
import { DEFAULT_BACKOFF, reconnectDelay, type Backoff } from './backoff.ts';
import { LocalPrinters } from './local-printers.ts';
import type { PrintJournal } from './print-journal.ts';

export type DeviceAgentOptions = Readonly<{
  serverUrl: string;
  deviceKey: string;
  journal: PrintJournal;
  printers?: LocalPrinters;
  inputSources?: InputSources;
  inputTimings?: InputTimings;
  backoff?: Backoff;
  /** Before the server's first heartbeat is known, how long silence may last before reconnecting. */
  initialSilenceMs?: number;
  log?: (line: string) => void;
}>;

/** Close codes after which trying again cannot help: the key was revoked or refused. */
const FATAL_CLOSE_CODES = new Set([4401, 4403]);

type Events = {
  connected: [];
  disconnected: [reason: string];
  /** A job was printed (or found in the journal: `duplicate`), just before the server hears so. */
  printed: [jobId: string, duplicate: boolean];
  /** The server's answer to a scan or a button press. */
  input: [answer: Extract<AgentServerMessage, { type: 'input_result' }>];
  /** The server refused this agent for good (revoked key): the agent stopped. */
  fatal: [reason: string];
};

/**
 * A print agent: holds a ws connection to the branch server, prints what it is sent on the printers
 * of this PC, reports what its scanners and buttons read, and reconnects on its own (backoff with
 * jitter) until stopped. The process around it (CLI, Electron main) only supplies the key and the
 * journal; everything here is testable in-process.
 */
export class DeviceAgent extends EventEmitter<Events> {
  readonly #options: DeviceAgentOptions;
  readonly #printers: LocalPrinters;
  readonly #inputs = new Map<string, { key: string; close(): void }>();
  #ws: WebSocket | null = null;
  #attempt = 0;
  #retry: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #silenceMs: number;
  #stopped = true;
  #requestSeq = 0;

  constructor(options: DeviceAgentOptions) {
    super();
    this.#options = options;
    this.#printers = options.printers ?? new LocalPrinters();
    this.#silenceMs = options.initialSilenceMs ?? 75_000;
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#retry = null;
    this.#closeInputs();
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1000);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        ws.close(1000, 'Print agent stopping.');
      });
    }
    await this.#printers.closeAll();
  }

  /** Cuts the connection as a network failure would (the agent reconnects); for tests and diagnostics. */
  dropConnection(): void {
    this.#ws?.terminate();
  }

  #log(line: string): void {
    this.#options.log?.(line);
  }

  #connect(): void {
    if (this.#stopped) return;
    const url = new URL(DEVICE_AGENT_PATH, this.#options.serverUrl.replace(/^http/, 'ws'));
    const ws = new WebSocket(url, { headers: { authorization: `Device ${this.#options.deviceKey}` }, handshakeTimeout: 10_000 });
    this.#ws = ws;
    let refused: number | null = null;

    ws.on('unexpected-response', (_req, res) => {
      refused = res.statusCode ?? 0;
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => {
        const detail = `${res.statusCode} ${body}`.trim();
        if (refused === 401 || refused === 403) this.#fatal(`The branch server refused this agent: ${detail}. Pair it again.`);
        else this.#log(`connection refused: ${detail}`);
      });
      ws.terminate();
    });
    ws.on('open', () => {
      this.#attempt = 0;
      this.#feedWatchdog();
      this.#log(`connected to ${this.#options.serverUrl}`);
      this.emit('connected');
    });
    ws.on('ping', () => this.#feedWatchdog());
    ws.on('message', (data, isBinary) => {
      this.#feedWatchdog();
      this.#onMessage(ws, data, isBinary);
    });
    ws.on('error', (error) => this.#log(`connection error: ${error.message}`));
    ws.on('close', (code, reasonBuffer) => {
      if (this.#ws === ws) this.#ws = null;
      if (this.#watchdog) clearTimeout(this.#watchdog);
      const reason = reasonBuffer.toString() || `code ${code}`;
      // The printers are released (their jobs will be sent again); scanners and buttons stay open.
      void this.#printers.closeAll();
      this.emit('disconnected', reason);
      if (FATAL_CLOSE_CODES.has(code)) {
        this.#fatal(`The branch server closed this agent's connection: ${reason}. Pair it again.`);
        return;
      }
      if (refused === 401 || refused === 403 || this.#stopped) return;
      this.#attempt += 1;
      const delay = reconnectDelay(this.#attempt, this.#options.backoff ?? DEFAULT_BACKOFF, Math.random());
      this.#log(`disconnected (${reason}); reconnecting in ${delay} ms`);
      this.#retry = setTimeout(() => this.#connect(), delay);
    });
  }

  #fatal(reason: string): void {
    if (this.#stopped) return;
    this.#log(reason);
    void this.stop();
    this.emit('fatal', reason);
  }

  /** A connection that hears nothing (no ping, no message) for twice the heartbeat is dead: drop it and reconnect. */
  #feedWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    const ws = this.#ws;
    this.#watchdog = setTimeout(() => {
      this.#log('no heartbeat from the branch server: reconnecting');
      ws?.terminate();
    }, this.#silenceMs);
    this.#watchdog.unref();
  }

  #send(ws: WebSocket, message: AgentClientMessage): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }

  #onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let parsed: ReturnType<typeof AgentServerMessage.safeParse>;
    try {
      parsed = AgentServerMessage.safeParse(JSON.parse(data.toString()));
    } catch {
      return;
    }
    if (!parsed.success) {
      this.#log('ignored a message this agent does not understand (is the branch server newer?)');
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'welcome':
        this.#silenceMs = 2 * message.heartbeat_ms + 5000;
        this.#feedWatchdog();
        this.#printers.setTimeouts({ connectMs: message.timeouts.connect_ms, writeMs: message.timeouts.write_ms, statusMs: message.timeouts.status_ms });
        this.#log(`paired as "${message.name}" (${message.tenant_slug}); ${message.inputs.length} input(s)`);
        this.#applyInputs(message.inputs);
        return;
      case 'config':
        this.#applyInputs(message.inputs);
        return;
      case 'status':
        void this.#answerStatus(ws, message);
        return;
      case 'print':
        void this.#answerPrint(ws, message);
        return;
      case 'release':
        void this.#printers.release(message.printer_id);
        return;
      case 'input_result':
        this.emit('input', message);
        if (!message.ok) this.#log(`input refused: ${message.detail}`);
        return;
      case 'error':
        this.#log(`server error: ${message.code} ${message.detail}`);
        return;
      case 'pong':
        return;
    }
  }

  async #answerStatus(ws: WebSocket, request: Extract<AgentServerMessage, { type: 'status' }>): Promise<void> {
    try {
      const status = await this.#printers.status(request.printer);
      this.#send(ws, { type: 'result', id: request.id, ok: true, status: toWire(status) });
    } catch (error) {
      this.#send(ws, { type: 'result', id: request.id, ok: false, ...failure(error) });
    }
  }

  /**
   * Prints a job once: a job already in the journal is answered "printed" without printing again.
   * The journal is written (fsynced) before the answer leaves, so an answer lost with the
   * connection never makes the job print twice.
   */
  async #answerPrint(ws: WebSocket, request: Extract<AgentServerMessage, { type: 'print' }>): Promise<void> {
    const { journal } = this.#options;
    if (journal.has(request.job_id)) {
      this.emit('printed', request.job_id, true);
      this.#send(ws, { type: 'result', id: request.id, ok: true, duplicate: true });
      return;
    }
    try {
      await this.#printers.print(request.printer, Buffer.from(request.data, 'base64'));
    } catch (error) {
      this.#send(ws, { type: 'result', id: request.id, ok: false, ...failure(error) });
      return;
    }
    try {
      journal.add(request.job_id);
    } catch (error) {
      // Printed all the same: say so. Only a repeat of this job after a lost answer could print twice.
      this.#log(`could not record job ${request.job_id} in the journal: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#log(`printed job ${request.job_id} on ${request.printer.name}`);
    this.emit('printed', request.job_id, false);
    this.#send(ws, { type: 'result', id: request.id, ok: true });
  }

  /** Opens new inputs, closes removed ones, reopens changed ones. */
  #applyInputs(inputs: readonly AgentInputConfig[]): void {
    const wanted = new Map(inputs.map((input) => [input.id, input]));
    for (const [id, open] of this.#inputs) {
      const next = wanted.get(id);
      if (!next || JSON.stringify(next) !== open.key) {
        open.close();
        this.#inputs.delete(id);
      }
    }
    for (const input of inputs) {
      if (this.#inputs.has(input.id)) continue;
      const handle = openInput(input, {
        scan: (text) => this.#sendInput({ type: 'input', id: this.#nextId(), input_id: input.id, event: 'scan', text: text.slice(0, 512) }),
        press: () => this.#sendInput({ type: 'input', id: this.#nextId(), input_id: input.id, event: 'press' }),
        state: (state, detail) => {
          this.#log(`${input.kind} "${input.name}" (${input.path}): ${state}${detail ? ` — ${detail}` : ''}`);
          const ws = this.#ws;
          if (ws) this.#send(ws, { type: 'input_state', input_id: input.id, state, detail: detail.slice(0, 500) });
        },
      }, this.#options.inputSources ?? DEFAULT_INPUT_SOURCES, this.#options.inputTimings ?? DEFAULT_INPUT_TIMINGS);
      this.#inputs.set(input.id, { key: JSON.stringify(input), close: handle.close });
    }
  }

  /** A scan or press while disconnected is dropped, and said so: acting on it minutes later would surprise the person at the counter. */
  #sendInput(message: Extract<AgentClientMessage, { type: 'input' }>): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this.#log(`${message.event} ignored: not connected to the branch server`);
      return;
    }
    this.#send(ws, message);
  }

  #closeInputs(): void {
    for (const open of this.#inputs.values()) open.close();
    this.#inputs.clear();
  }

  #nextId(): string {
    this.#requestSeq += 1;
    return `${Date.now().toString(36)}-${this.#requestSeq}`;
  }
}

function toWire(status: PrinterStatus): WirePrinterStatus {
  return { state: status.state, online: status.online, paper: status.paper, cover_open: status.coverOpen, detail: status.detail?.slice(0, 500) ?? null };
}

function failure(error: unknown): { code: string; message: string } {
  if (error instanceof TransportError) return { code: error.code, message: error.message.slice(0, 1000) };
  return { code: 'write-failed', message: (error instanceof Error ? error.message : String(error)).slice(0, 1000) };
}
