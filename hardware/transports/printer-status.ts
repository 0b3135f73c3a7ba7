/**
 * Real-time status of an ESC/POS printer, read with `DLE EOT n` before each job:
 * n=1 printer status (offline), n=2 offline cause (cover open, stopped by paper end, error),
 * n=4 roll paper sensor (near end, out). Every answer is one byte with fixed bits 0x12 set and
 * 0x81 clear; anything else is not a status byte.
 */
export type PaperState = 'ok' | 'near-end' | 'out' | 'unknown';
export type PrinterState = 'ok' | 'near-end' | 'paper-out' | 'cover-open' | 'offline' | 'unknown';

export type PrinterStatus = Readonly<{
  state: PrinterState;
  online: boolean | null;
  paper: PaperState;
  coverOpen: boolean | null;
  /** Why the state is unknown or the printer offline ("no answer to DLE EOT", "connect timeout"…). */
  detail: string | null;
}>;

export const DLE_EOT = (n: 1 | 2 | 4): Uint8Array => Uint8Array.of(0x10, 0x04, n);

export function isStatusByte(byte: number): boolean {
  return (byte & 0x93) === 0x12;
}

export function unknownStatus(detail: string): PrinterStatus {
  return { state: 'unknown', online: null, paper: 'unknown', coverOpen: null, detail };
}

/** PURE: the three status bytes to a status. */
export function parseStatusBytes(printer: number, offlineCause: number, paperSensor: number): PrinterStatus {
  const offline = (printer & 0x08) !== 0;
  const coverOpen = (offlineCause & 0x04) !== 0;
  const stoppedByPaperEnd = (offlineCause & 0x20) !== 0;
  const error = (offlineCause & 0x40) !== 0;
  const paperOut = (paperSensor & 0x60) !== 0 || stoppedByPaperEnd;
  const nearEnd = (paperSensor & 0x0c) !== 0;
  const paper: PaperState = paperOut ? 'out' : nearEnd ? 'near-end' : 'ok';
  const state: PrinterState = coverOpen ? 'cover-open' : paperOut ? 'paper-out' : offline || error ? 'offline' : nearEnd ? 'near-end' : 'ok';
  return { state, online: !offline, paper, coverOpen, detail: error ? 'printer reports an error' : null };
}

/** A byte stream from a printer: send a request, then await the next byte for at most `timeoutMs`. */
export type StatusChannel = Readonly<{
  send(bytes: Uint8Array): Promise<void>;
  nextByte(timeoutMs: number): Promise<number | null>;
  discardPending(): void;
}>;

/**
 * Asks n=1, 2 and 4 in turn. A printer that does not answer (many cheap ones, or a busy one) gives
 * 'unknown': the job is printed anyway and the status is recorded as unknown.
 */
export async function readStatus(channel: StatusChannel, timeoutMs: number): Promise<PrinterStatus> {
  channel.discardPending();
  const bytes: number[] = [];
  for (const n of [1, 2, 4] as const) {
    await channel.send(DLE_EOT(n));
    const byte = await channel.nextByte(timeoutMs);
    if (byte === null) return unknownStatus(`no answer to DLE EOT ${n} within ${timeoutMs} ms`);
    if (!isStatusByte(byte)) return unknownStatus(`unexpected answer 0x${byte.toString(16)} to DLE EOT ${n}`);
    bytes.push(byte);
  }
  return parseStatusBytes(bytes[0]!, bytes[1]!, bytes[2]!);
}
