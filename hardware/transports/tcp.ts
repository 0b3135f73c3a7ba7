import { Socket } from 'node:net';
import { readStatus, unknownStatus, type PrinterStatus } from './printer-status.ts';
import { ByteQueue, DEFAULT_TIMEOUTS, TransportError, type PrinterTransport, type TransportTimeouts } from './transport.ts';

export type TcpTarget = Readonly<{ host: string; port: number }>;

/** A network printer on raw TCP (port 9100): connect and write time out; DLE EOT answers come back on the same socket. */
export class TcpPrinter implements PrinterTransport {
  readonly #target: TcpTarget;
  readonly #timeouts: TransportTimeouts;
  readonly #incoming = new ByteQueue();
  #socket: Promise<Socket> | null = null;

  constructor(target: TcpTarget, timeouts: Partial<TransportTimeouts> = {}) {
    this.#target = target;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
  }

  #connect(): Promise<Socket> {
    this.#socket ??= new Promise<Socket>((resolve, reject) => {
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError('connect-timeout', `No connection to ${this.#target.host}:${this.#target.port} within ${this.#timeouts.connectMs} ms.`));
      }, this.#timeouts.connectMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new TransportError('connect-failed', `Cannot reach ${this.#target.host}:${this.#target.port}: ${error.message}`));
      });
      socket.on('data', (chunk: Buffer) => this.#incoming.push(chunk));
      socket.on('close', () => this.#incoming.end());
      socket.connect(this.#target.port, this.#target.host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // Later errors surface through write(); an unhandled 'error' event must never crash the server.
        socket.on('error', () => undefined);
        socket.setNoDelay(true);
        resolve(socket);
      });
    });
    // A failed connection is not cached: the next call tries again.
    this.#socket.catch(() => {
      this.#socket = null;
    });
    return this.#socket;
  }

  async status(): Promise<PrinterStatus> {
    let socket: Socket;
    try {
      socket = await this.#connect();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { ...unknownStatus(detail), state: 'offline', online: false };
    }
    return readStatus({
      send: (bytes) => writeWithTimeout(socket, bytes, this.#timeouts.writeMs),
      nextByte: (ms) => this.#incoming.next(ms),
      discardPending: () => this.#incoming.clear(),
    }, this.#timeouts.statusMs);
  }

  async write(bytes: Uint8Array): Promise<void> {
    await writeWithTimeout(await this.#connect(), bytes, this.#timeouts.writeMs);
  }

  async close(): Promise<void> {
    const pending = this.#socket;
    this.#socket = null;
    if (!pending) return;
    const socket = await pending.catch(() => null);
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1000);
      socket.end(() => {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      });
    });
  }
}

/** Resolves once the bytes are handed to the kernel; a printer that stops reading (buffer full, offline) times out. */
function writeWithTimeout(socket: Socket, bytes: Uint8Array, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      reject(new TransportError('closed', 'The printer closed the connection.'));
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError('write-timeout', `The printer did not take the data within ${timeoutMs} ms.`));
    }, timeoutMs);
    socket.write(bytes, (error) => {
      clearTimeout(timer);
      if (error) reject(new TransportError('write-failed', `Writing to the printer failed: ${error.message}`));
      else resolve();
    });
  });
}
