import type { SerialPort } from 'serialport';
import type { HidSource } from './hid-source.ts';

/** Bytes from a serial port (a scanner in serial/"virtual COM" mode, a button box); same shape as a HID source. */
export type SerialSource = Omit<HidSource, 'onReport'> & Readonly<{ onData(listener: (chunk: Uint8Array) => void): void }>;

/** Opens a serial port with the real `serialport` binding, imported on first use (native module). */
export function openSerialSource(path: string, baudRate: number): SerialSource {
  const ready: Array<() => void> = [];
  const data: Array<(chunk: Uint8Array) => void> = [];
  const errors: Array<(error: Error) => void> = [];
  let port: SerialPort | null = null;
  let closed = false;
  let failed = false;
  const fail = (error: Error) => {
    if (failed || closed) return;
    failed = true;
    close();
    for (const listener of errors) listener(error);
  };
  const close = () => {
    closed = true;
    const open = port;
    port = null;
    if (open?.isOpen) open.close(() => undefined);
  };
  import('serialport').then(({ SerialPort: SerialPortClass }) => {
    if (closed) return;
    const opened = new SerialPortClass({ path, baudRate, autoOpen: false });
    opened.open((error) => {
      if (error) return fail(new Error(`Cannot open ${path}: ${error.message}`));
      if (closed) {
        opened.close(() => undefined);
        return;
      }
      port = opened;
      opened.on('data', (chunk: Buffer) => {
        for (const listener of data) listener(chunk);
      });
      opened.on('error', (e: Error) => fail(e));
      opened.on('close', () => fail(new Error(`${path} was closed (unplugged?)`)));
      for (const listener of ready) listener();
    });
  }, (error: unknown) => fail(new Error(`Serial ports are unavailable on this machine: ${error instanceof Error ? error.message : String(error)}`)));
  return {
    onReady: (listener) => ready.push(listener),
    onData: (listener) => data.push(listener),
    onError: (listener) => errors.push(listener),
    close,
  };
}

/** Cuts serial bytes into lines: CR, LF or CR LF ends a scan (scanners are set to one of them). */
export class SerialLineAssembler {
  readonly #maxLength: number;
  #line = '';

  constructor(maxLength = 512) {
    this.#maxLength = maxLength;
  }

  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    for (const ch of Buffer.from(chunk).toString('latin1')) {
      if (ch === '\r' || ch === '\n') {
        const line = this.#line.trim();
        this.#line = '';
        if (line.length > 0) lines.push(line);
      } else if (this.#line.length < this.#maxLength && ch >= ' ') {
        this.#line += ch;
      }
    }
    return lines;
  }
}
