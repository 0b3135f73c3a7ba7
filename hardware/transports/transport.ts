import type { PrinterStatus } from './printer-status.ts';

/** One way to reach a printer (TCP 9100, serial port, USB). Opened lazily, closed after each job. */
export interface PrinterTransport {
  status(): Promise<PrinterStatus>;
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export type TransportErrorCode =
  | 'connect-timeout' | 'connect-failed' | 'write-timeout' | 'write-failed' | 'closed' | 'usb-unavailable' | 'device-not-found' | 'not-supported'
  /** The bytes left for a remote printer (print agent) and no answer came back: it may or may not have printed. */
  | 'outcome-unknown';

/** A transport failure: the job is retried (or moved to the fallback printer) and the code shown to staff. */
export class TransportError extends Error {
  readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

export type TransportTimeouts = Readonly<{ connectMs: number; writeMs: number; statusMs: number }>;
export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectMs: 3000, writeMs: 10_000, statusMs: 500 };

/** Bytes arriving from a printer, handed out one at a time to whoever waits for them. */
export class ByteQueue {
  #bytes: number[] = [];
  #waiter: ((byte: number | null) => void) | null = null;

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = null;
        w(byte);
      } else {
        this.#bytes.push(byte);
      }
    }
  }

  clear(): void {
    this.#bytes = [];
  }

  /** Wakes a waiter with null (the connection closed). */
  end(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.(null);
  }

  next(timeoutMs: number): Promise<number | null> {
    if (this.#bytes.length > 0) return Promise.resolve(this.#bytes.shift()!);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        resolve(null);
      }, timeoutMs);
      this.#waiter = (byte) => {
        clearTimeout(timer);
        resolve(byte);
      };
    });
  }
}
