import { afterEach, describe, expect, it } from 'vitest';
import { parsePrintProfile } from '../../../hardware/escpos/profile.ts';
import { renderTicket } from '../../../hardware/escpos/render-ticket.ts';
import { SerialPrinter } from '../../../hardware/transports/serial.ts';
import { printedLines, printedQrCodes, tokenize } from '../../helpers/escpos-tokenizer.ts';
import { openFakeSerialPrinter, type FakeSerialPrinter } from '../../helpers/fake-serial-printer.ts';
import { hasSocat, startPtyPair, type PtyPair } from '../../helpers/socat.ts';

// CI installs socat (.ci/run); a developer machine without it skips with this message.
if (!hasSocat) console.warn('serial transport tests skipped: socat is not installed (apt-get install socat)');

let pair: PtyPair | null = null;
let printer: FakeSerialPrinter | null = null;
afterEach(async () => {
  await printer?.close();
  await pair?.close();
  printer = null;
  pair = null;
});

describe.skipIf(!hasSocat)('SerialPrinter through a socat pty pair (real serialport binding)', () => {
  it('reads the status and prints a ticket the printer end decodes', async () => {
    pair = await startPtyPair();
    printer = await openFakeSerialPrinter(pair.b);
    const transport = new SerialPrinter({ path: pair.a, baudRate: 9600 }, { statusMs: 500 });
    expect((await transport.status()).state).toBe('ok');
    const bytes = renderTicket({
      number: 'C042', serviceName: 'Caisse', siteName: 'Agence Gare', issuedAt: 0, timeZone: 'UTC', peopleAhead: 1, etaSeconds: 120,
      trackingUrl: 'http://branch/t/serial1', duplicate: false,
    }, parsePrintProfile({}));
    await transport.write(bytes);
    await transport.close();
    const received = await printer.waitFor((b) => b.length >= bytes.length);
    const tokens = tokenize(received);
    expect(printedLines(tokens).some((l) => l.text === 'C042')).toBe(true);
    expect(printedQrCodes(tokens)).toEqual(['http://branch/t/serial1']);
  });

  it('reads paper out from the serial printer', async () => {
    pair = await startPtyPair();
    printer = await openFakeSerialPrinter(pair.b);
    printer.setPaperOut(true);
    const transport = new SerialPrinter({ path: pair.a, baudRate: 9600 }, { statusMs: 500 });
    expect(await transport.status()).toMatchObject({ state: 'paper-out', paper: 'out' });
    await transport.close();
  });

  it('reports a missing port as offline and fails the write clearly', async () => {
    const transport = new SerialPrinter({ path: '/dev/does-not-exist-sq', baudRate: 9600 });
    expect(await transport.status()).toMatchObject({ state: 'offline', online: false });
    await expect(transport.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'connect-failed' });
  });
});
