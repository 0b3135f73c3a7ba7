import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A network ESC/POS printer on loopback for tests: it records every byte it is sent (status
 * requests aside) and answers `DLE EOT n` (n = 1, 2, 4) from a scripted state, as an Epson-compatible
 * printer does. 'silent' never answers (cheap printers); 'slow' answers after `slowMs`.
 */
export type FakePrinterState = 'ok' | 'near-end' | 'paper-out' | 'cover-open' | 'silent' | 'slow';

const STATUS: Readonly<Record<'ok' | 'near-end' | 'paper-out' | 'cover-open', Readonly<Record<1 | 2 | 4, number>>>> = {
  ok: { 1: 0x12, 2: 0x12, 4: 0x12 },
  'near-end': { 1: 0x12, 2: 0x12, 4: 0x1e },
  'paper-out': { 1: 0x1a, 2: 0x32, 4: 0x72 },
  'cover-open': { 1: 0x1a, 2: 0x16, 4: 0x12 },
};

export type FakePrinter = Readonly<{
  host: string;
  port: number;
  /** Everything printed so far (status requests removed). */
  received(): Buffer;
  /** How many status requests (DLE EOT) were answered or ignored. */
  statusRequests(): number;
  connections(): number;
  setState(state: FakePrinterState): void;
  /** Resolves when the printed bytes satisfy `predicate` (polls), rejects after `timeoutMs`. */
  waitFor(predicate: (bytes: Buffer) => boolean, timeoutMs?: number): Promise<Buffer>;
  clear(): void;
  close(): Promise<void>;
}>;

export async function startFakePrinter(initial: FakePrinterState = 'ok', options: { slowMs?: number } = {}): Promise<FakePrinter> {
  let state = initial;
  let printed = Buffer.alloc(0);
  let requests = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const keep: Buffer[] = [];
      let i = 0;
      while (i < pending.length) {
        if (pending[i] === 0x10) {
          if (i + 2 >= pending.length) break; // maybe a request split across chunks
          if (pending[i + 1] === 0x04) {
            answer(socket, pending[i + 2]!);
            i += 3;
            continue;
          }
        }
        keep.push(pending.subarray(i, i + 1));
        i += 1;
      }
      printed = Buffer.concat([printed, ...keep]);
      pending = pending.subarray(i);
    });
  });
  const answer = (socket: Socket, n: number) => {
    requests++;
    if (state === 'silent' || (n !== 1 && n !== 2 && n !== 4)) return;
    if (state === 'slow') {
      setTimeout(() => !socket.destroyed && socket.write(Uint8Array.of(STATUS.ok[n])), options.slowMs ?? 2000);
      return;
    }
    socket.write(Uint8Array.of(STATUS[state][n]));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    received: () => printed,
    statusRequests: () => requests,
    connections: () => connections,
    setState: (next) => {
      state = next;
    },
    clear: () => {
      printed = Buffer.alloc(0);
    },
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(printed)) {
        if (Date.now() > deadline) throw new Error(`fake printer: condition not met within ${timeoutMs} ms (received ${printed.length} bytes)`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return printed;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
