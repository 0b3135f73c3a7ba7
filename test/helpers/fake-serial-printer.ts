import { SerialPort } from 'serialport';

/**
 * The printer end of a pty pair: the real serialport binding reads what the branch server sends,
 * records it (status requests aside) and answers DLE EOT like the TCP fake printer.
 */
export type FakeSerialPrinter = Readonly<{
  received(): Buffer;
  setPaperOut(out: boolean): void;
  waitFor(predicate: (bytes: Buffer) => boolean, timeoutMs?: number): Promise<Buffer>;
  close(): Promise<void>;
}>;

export async function openFakeSerialPrinter(path: string): Promise<FakeSerialPrinter> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let printed = Buffer.alloc(0);
  let paperOut = false;
  let pending = Buffer.alloc(0);
  port.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    const keep: number[] = [];
    let i = 0;
    while (i < pending.length) {
      if (pending[i] === 0x10 && i + 2 >= pending.length) break;
      if (pending[i] === 0x10 && pending[i + 1] === 0x04) {
        const n = pending[i + 2]!;
        const ok = { 1: 0x12, 2: 0x12, 4: 0x12 } as Record<number, number>;
        const out = { 1: 0x1a, 2: 0x32, 4: 0x72 } as Record<number, number>;
        port.write(Uint8Array.of((paperOut ? out : ok)[n] ?? 0x12));
        i += 3;
        continue;
      }
      keep.push(pending[i]!);
      i++;
    }
    printed = Buffer.concat([printed, Buffer.from(keep)]);
    pending = pending.subarray(i);
  });
  return {
    received: () => printed,
    setPaperOut: (out) => {
      paperOut = out;
    },
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(printed)) {
        if (Date.now() > deadline) throw new Error(`fake serial printer: condition not met within ${timeoutMs} ms (received ${printed.length} bytes)`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return printed;
    },
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
