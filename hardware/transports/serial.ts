import type { SerialPort } from 'serialport';
import { readStatus, unknownStatus, type PrinterStatus } from './printer-status.ts';
import { ByteQueue, DEFAULT_TIMEOUTS, TransportError, type PrinterTransport, type TransportTimeouts } from './transport.ts';

export type SerialTarget = Readonly<{ path: string; baudRate: number }>;

/**
 * A printer on a serial port (RS-232, or USB-serial /dev/ttyUSB0, COM3). `serialport` is a native
 * module: it is imported on first use so a machine without it still runs everything else.
 */
export class SerialPrinter implements PrinterTransport {
  readonly #target: SerialTarget;
  readonly #timeouts: TransportTimeouts;
  readonly #incoming = new ByteQueue();
  #port: Promise<SerialPort> | null = null;

  constructor(target: SerialTarget, timeouts: Partial<TransportTimeouts> = {}) {
    this.#target = target;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
  }

  #open(): Promise<SerialPort> {
    this.#port ??= (async () => {
      let SerialPortClass: typeof SerialPort;
      try {
        ({ SerialPort: SerialPortClass } = await import('serialport'));
      } catch (error) {
        throw new TransportError('not-supported', `Serial ports are unavailable on this machine: ${error instanceof Error ? error.message : String(error)}`);
      }
      const port = new SerialPortClass({ path: this.#target.path, baudRate: this.#target.baudRate, autoOpen: false });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TransportError('connect-timeout', `${this.#target.path} did not open within ${this.#timeouts.connectMs} ms.`)), this.#timeouts.connectMs);
        port.open((error) => {
          clearTimeout(timer);
          if (error) reject(new TransportError('connect-failed', `Cannot open ${this.#target.path}: ${error.message}`));
          else resolve();
        });
      });
      port.on('data', (chunk: Buffer) => this.#incoming.push(chunk));
      port.on('close', () => this.#incoming.end());
      port.on('error', () => undefined);
      return port;
    })();
    this.#port.catch(() => {
      this.#port = null;
    });
    return this.#port;
  }

  async status(): Promise<PrinterStatus> {
    let port: SerialPort;
    try {
      port = await this.#open();
    } catch (error) {
      return { ...unknownStatus(error instanceof Error ? error.message : String(error)), state: 'offline', online: false };
    }
    return readStatus({
      send: (bytes) => writeAndDrain(port, bytes, this.#timeouts.writeMs),
      nextByte: (ms) => this.#incoming.next(ms),
      discardPending: () => this.#incoming.clear(),
    }, this.#timeouts.statusMs);
  }

  async write(bytes: Uint8Array): Promise<void> {
    await writeAndDrain(await this.#open(), bytes, this.#timeouts.writeMs);
  }

  async close(): Promise<void> {
    const pending = this.#port;
    this.#port = null;
    const port = pending ? await pending.catch(() => null) : null;
    if (!port || !port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

function writeAndDrain(port: SerialPort, bytes: Uint8Array, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TransportError('write-timeout', `The serial printer did not take the data within ${timeoutMs} ms.`)), timeoutMs);
    port.write(Buffer.from(bytes), (error) => {
      if (error) {
        clearTimeout(timer);
        reject(new TransportError('write-failed', `Writing to the serial port failed: ${error.message}`));
        return;
      }
      port.drain((drainError) => {
        clearTimeout(timer);
        if (drainError) reject(new TransportError('write-failed', `Writing to the serial port failed: ${drainError.message}`));
        else resolve();
      });
    });
  });
}
