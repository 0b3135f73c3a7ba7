import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpPrinter } from '../../../hardware/transports/tcp.ts';
import { startFakePrinter, type FakePrinter } from '../../helpers/fake-printer.ts';

let printer: FakePrinter | null = null;
afterEach(async () => {
  await printer?.close();
  printer = null;
});

const timeouts = { connectMs: 500, writeMs: 1000, statusMs: 150 };

describe('TcpPrinter', () => {
  it('reads each scripted state through DLE EOT 1, 2 and 4', async () => {
    printer = await startFakePrinter('ok');
    const expected = { ok: 'ok', 'near-end': 'near-end', 'paper-out': 'paper-out', 'cover-open': 'cover-open' } as const;
    for (const [state, reading] of Object.entries(expected)) {
      printer.setState(state as keyof typeof expected);
      const transport = new TcpPrinter(printer, timeouts);
      expect((await transport.status()).state).toBe(reading);
      await transport.close();
    }
    expect(printer.statusRequests()).toBe(12);
  });

  it('reports status unknown when the printer stays silent or answers too late, and still prints', async () => {
    for (const state of ['silent', 'slow'] as const) {
      printer = await startFakePrinter(state, { slowMs: 400 });
      const transport = new TcpPrinter(printer, timeouts);
      const status = await transport.status();
      expect(status).toMatchObject({ state: 'unknown', paper: 'unknown' });
      expect(status.detail).toContain('no answer to DLE EOT 1');
      await transport.write(Buffer.from('hello\n'));
      await transport.close();
      await printer.waitFor((b) => b.toString() === 'hello\n', 1000);
      await printer.close();
      printer = null;
    }
  });

  it('writes the bytes in order on one connection and closes it', async () => {
    printer = await startFakePrinter('ok');
    const transport = new TcpPrinter(printer, timeouts);
    await transport.status();
    await transport.write(Buffer.from('A001'));
    await transport.write(Uint8Array.of(0x1d, 0x56, 0x01));
    await transport.close();
    await printer.waitFor((b) => b.length === 7);
    expect([...printer.received()]).toEqual([0x41, 0x30, 0x30, 0x31, 0x1d, 0x56, 0x01]);
    expect(printer.connections()).toBe(1);
  });

  it('reports a printer that refuses connections as offline and fails the write with connect-failed', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const transport = new TcpPrinter({ host: '127.0.0.1', port }, timeouts);
    expect(await transport.status()).toMatchObject({ state: 'offline', online: false });
    await expect(transport.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'connect-failed' });
  });

  it('times out a write the printer stops taking (buffer full, paused) instead of hanging the job', async () => {
    const held: Socket[] = [];
    const stalled = createServer((socket) => {
      socket.pause();
      held.push(socket);
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const { port } = stalled.address() as AddressInfo;
    const transport = new TcpPrinter({ host: '127.0.0.1', port }, { ...timeouts, writeMs: 300 });
    const started = Date.now();
    await expect(transport.write(new Uint8Array(32 * 1024 * 1024))).rejects.toMatchObject({ code: 'write-timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
    await transport.close();
    for (const socket of held) socket.destroy();
    await new Promise<void>((r) => stalled.close(() => r()));
  });
});
