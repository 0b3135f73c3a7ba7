import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printedLines, printedQrCodes, tokenize } from '../../helpers/escpos-tokenizer.ts';
import { openFakeSerialPrinter, type FakeSerialPrinter } from '../../helpers/fake-serial-printer.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { hasSocat, startPtyPair, type PtyPair } from '../../helpers/socat.ts';

// CI installs socat (.ci/run); without it this file is skipped, saying why.
if (!hasSocat) console.warn('serial printing tests skipped: socat is not installed (apt-get install socat)');

let t: TestServer;
let d: DemoTenant;
let pair: PtyPair;
let printer: FakeSerialPrinter;

beforeAll(async () => {
  if (!hasSocat) return;
  t = await startTestServer({ jobs: { runner: { pollMs: 100 }, printing: { waitRetryMs: 100, timeouts: { statusMs: 300 } } } });
  d = await seedDemoTenant(t, 'serial-bank');
  pair = await startPtyPair();
  printer = await openFakeSerialPrinter(pair.b);
});

afterAll(async () => {
  if (!hasSocat) return;
  await t.close();
  await printer.close();
  await pair.close();
});

const complete = (number: string) => (bytes: Buffer) => {
  try {
    const tokens = tokenize(bytes);
    return printedLines(tokens).some((l) => l.text === number) && tokens.some((tk) => tk.type === 'cut');
  } catch {
    return false;
  }
};

describe.skipIf(!hasSocat)('printing on a serial printer (socat pty pair, real serialport binding)', () => {
  it('prints a kiosk ticket over the serial line, and holds it while the printer is out of paper', async () => {
    const created = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, {
      token: d.adminToken, body: { name: 'Série guichet', transport: 'serial', path: pair.a, baud_rate: 9600 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, {
      token: d.adminToken, body: { name: 'Borne série', queue_ids: [d.demo.queues[0]!.id], printer_id: created.body.id },
    });
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });

    const first = (await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: device.key, body: { queue: d.demo.queues[0]!.id } })).body;
    const bytes = await printer.waitFor(complete(first.number));
    expect(printedQrCodes(tokenize(bytes))).toEqual([first.tracking_url]);

    printer.setPaperOut(true);
    const second = (await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: device.key, body: { queue: d.demo.queues[0]!.id } })).body;
    const waiting = async () => (await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/${second.id}/print/`, { device: device.key })).body[0]?.status;
    const deadline = Date.now() + 5000;
    while ((await waiting()) !== 'waiting') {
      if (Date.now() > deadline) throw new Error('job never waited');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(complete(second.number)(printer.received())).toBe(false);
    printer.setPaperOut(false);
    await printer.waitFor(complete(second.number));
  });
});
