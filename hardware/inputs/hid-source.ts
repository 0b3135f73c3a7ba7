import { closeSync, constants, openSync, readSync } from 'node:fs';
import { BOOT_REPORT_SIZE } from './hid-keyboard.ts';

/** Where HID input reports come from: a hidraw device here; a USB library or the OS's HID API elsewhere. */
export interface HidSource {
  /** Called once the device is open. */
  onReady(listener: () => void): void;
  /** Called with each input report, in order. */
  onReport(listener: (report: Uint8Array) => void): void;
  /** Called once when the source fails (device unplugged, permission denied); it is closed by then. */
  onError(listener: (error: Error) => void): void;
  close(): void;
}

export type HidrawOptions = Readonly<{ reportSize?: number; pollMs?: number }>;

/**
 * Reads a Linux hidraw device (/dev/hidrawN) — each read() returns one input report — without a
 * native module. The file is opened non-blocking and polled: a blocking read would hold a libuv
 * thread until the next key press and keep `close()` waiting for it. Bytes are cut into reports
 * of `reportSize` (8: boot keyboard without report id), so a source that hands over several
 * reports at once (a pipe standing in for the device in tests) reads the same.
 */
export function openHidraw(path: string, options: HidrawOptions = {}): HidSource {
  const reportSize = options.reportSize ?? BOOT_REPORT_SIZE;
  const pollMs = options.pollMs ?? 10;
  const readyListeners: Array<() => void> = [];
  const reportListeners: Array<(report: Uint8Array) => void> = [];
  const errorListeners: Array<(error: Error) => void> = [];
  let fd: number | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let pending = Buffer.alloc(0);
  const chunk = Buffer.alloc(Math.max(64, reportSize * 16));

  const close = () => {
    closed = true;
    if (timer) clearTimeout(timer);
    timer = null;
    if (fd !== null) {
      const open = fd;
      fd = null;
      try {
        closeSync(open);
      } catch {
        // already gone with the device
      }
    }
  };
  const fail = (error: Error) => {
    close();
    for (const listener of errorListeners) listener(error);
  };
  const poll = () => {
    timer = null;
    if (fd === null) return;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (n === 0) break; // a pipe with no writer yet: nothing to read
      pending = Buffer.concat([pending, chunk.subarray(0, n)]);
      while (pending.length >= reportSize) {
        const report = Uint8Array.prototype.slice.call(pending, 0, reportSize);
        pending = pending.subarray(reportSize);
        for (const listener of reportListeners) listener(report);
      }
      if (fd === null) return; // a listener closed the source
    }
    timer = setTimeout(poll, pollMs);
  };

  // Opened asynchronously-looking (errors reach onError, not the caller), so callers handle one path.
  setImmediate(() => {
    if (closed) return;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    for (const listener of readyListeners) listener();
    poll();
  });

  return {
    onReady: (listener) => readyListeners.push(listener),
    onReport: (listener) => reportListeners.push(listener),
    onError: (listener) => errorListeners.push(listener),
    close,
  };
}
