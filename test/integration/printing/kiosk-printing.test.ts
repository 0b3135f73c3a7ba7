import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../branch-server/use-cases/events.ts';
import type { PrinterAlert } from '../../../branch-server/contract/printing.contract.ts';
import { printedLines, printedQrCodes, tokenize } from '../../helpers/escpos-tokenizer.ts';
import { startFakePrinter, type FakePrinter } from '../../helpers/fake-printer.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { QueueChannelMessage } from '../../../branch-server/contract/realtime.contract.ts';
import { WsProbe, wsUrl } from '../realtime/ws-probe.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

let t: TestServer;
let d: DemoTenant;
const alerts: PrinterAlert[] = [];
const fakes: FakePrinter[] = [];

beforeAll(async () => {
  t = await startTestServer({
    jobs: { runner: { pollMs: 100 }, printing: { waitRetryMs: 100, timeouts: { connectMs: 500, statusMs: 200, writeMs: 2000 } } },
  });
  d = await seedDemoTenant(t, 'print-bank');
  t.server.events.subscribe((e: DomainEvent) => {
    if (e.kind === 'printer-alert') alerts.push(e.alert);
  });
});

afterAll(async () => {
  await t.close();
  await Promise.all(fakes.map((f) => f.close()));
});

async function fakePrinter(state: Parameters<typeof startFakePrinter>[0] = 'ok'): Promise<FakePrinter> {
  const fake = await startFakePrinter(state);
  fakes.push(fake);
  return fake;
}

async function addPrinter(fake: FakePrinter, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, {
    token: d.adminToken, body: { name: `Printer ${fake.port}`, transport: 'network', host: fake.host, port: fake.port, ...extra },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** A kiosk printing on `printerId`, paired as a device; returns its key. */
async function kioskOn(printerId: string): Promise<{ key: string; kioskId: string }> {
  const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, {
    token: d.adminToken, body: { name: `Kiosk ${printerId.slice(-4)}`, queue_ids: d.demo.queues.map((q) => q.id), printer_id: printerId },
  });
  expect(kiosk.status, JSON.stringify(kiosk.body)).toBe(201);
  const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
  return { key: device.key, kioskId: kiosk.body.id };
}

async function issueFromKiosk(key: string, queueIndex = 0) {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: key, body: { queue: d.demo.queues[queueIndex]!.id } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; number: string; public_id: string; tracking_url: string };
}

/** Bytes may arrive in pieces: a stream cut inside a command is "not yet". */
const safeTokens = (bytes: Buffer) => {
  try {
    return tokenize(bytes);
  } catch {
    return [];
  }
};
/** A whole ticket showing this line has arrived (its cut included). */
const hasText = (text: string) => (bytes: Buffer) => {
  const tokens = safeTokens(bytes);
  return printedLines(tokens).some((l) => l.text === text) && tokens.some((tk) => tk.type === 'cut');
};

async function jobsOfTicket(ticketId: string, key: string) {
  return (await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/${ticketId}/print/`, { device: key })).body as Array<{ status: string; printed_on_printer_id: string | null; kind: string; last_error: string }>;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('printing kiosk tickets end to end (fake TCP 9100 printer)', () => {
  it('prints the ticket a kiosk issues: its number in large type, accents in cp858, the QR to the phone page, a cut', async () => {
    const fake = await fakePrinter('ok');
    const printerId = await addPrinter(fake);
    const { key } = await kioskOn(printerId);
    const ticket = await issueFromKiosk(key);

    const bytes = await fake.waitFor(hasText(ticket.number));
    const tokens = tokenize(bytes);
    const number = printedLines(tokens).find((l) => l.text === ticket.number)!;
    expect(number.maxHeight).toBeGreaterThanOrEqual(3);
    expect(printedLines(tokens).map((l) => l.text)).toContain('Ouverture de compte');
    expect(printedLines(tokens).some((l) => l.text.startsWith('Votre numéro'))).toBe(true);
    expect(printedQrCodes(tokens)).toEqual([ticket.tracking_url]);
    expect(ticket.tracking_url).toMatch(new RegExp(`/t/${ticket.public_id}$`));
    expect(tokens.filter((tk) => tk.type !== 'newline').at(-1)).toMatchObject({ type: 'cut' });
    expect(fake.statusRequests()).toBeGreaterThanOrEqual(3);

    const jobs = await until(() => jobsOfTicket(ticket.id, key), (j) => j[0]?.status === 'printed');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: 'ticket', printed_on_printer_id: printerId });
    const printer = (await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printerId}/`, { token: d.adminToken })).body;
    expect(printer).toMatchObject({ online: true, paper: 'ok', status: 'ok', last_error: '' });
    expect(printer.last_seen_at).not.toBeNull();
  });

  it('does not print tickets issued by staff (only kiosks have printers)', async () => {
    const fake = await fakePrinter('ok');
    const printerId = await addPrinter(fake);
    await kioskOn(printerId);
    const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[1]!.id } });
    expect(res.status).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.received().length).toBe(0);
  });

  it('sends the ticket to the fallback printer when the kiosk printer is out of paper, and tells staff', async () => {
    const fallbackFake = await fakePrinter('ok');
    const mainFake = await fakePrinter('paper-out');
    const fallbackId = await addPrinter(fallbackFake, { name: 'Comptoir accueil' });
    const mainId = await addPrinter(mainFake, { name: 'Kiosque hall', fallback_printer_id: fallbackId });
    const { key, kioskId } = await kioskOn(mainId);
    const ticket = await issueFromKiosk(key);

    await fallbackFake.waitFor(hasText(ticket.number));
    expect(mainFake.received().length).toBe(0);
    const jobs = await until(() => jobsOfTicket(ticket.id, key), (j) => j[0]?.status === 'printed');
    expect(jobs[0]).toMatchObject({ printed_on_printer_id: fallbackId });
    const alert = await until(async () => alerts.find((a) => a.ticket_id === ticket.id), (a) => a !== undefined);
    expect(alert).toMatchObject({ condition: 'printed-on-fallback', printer_id: mainId, blocking: false, ticket_number: ticket.number, kiosk_ids: [kioskId] });
    expect(alert!.message).toContain('out of paper');
    const main = (await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${mainId}/`, { token: d.adminToken })).body;
    expect(main).toMatchObject({ paper: 'out', status: 'paper-out', online: false });
  });

  it('holds the job when no printer can print, alerts the kiosk once, prints on recovery, then reprints the same number as a duplicate', async () => {
    const fake = await fakePrinter('cover-open');
    const printerId = await addPrinter(fake, { name: 'Kiosque étage' });
    const { key, kioskId } = await kioskOn(printerId);
    const ticket = await issueFromKiosk(key, 2);

    const blocking = await until(async () => alerts.filter((a) => a.ticket_id === ticket.id), (a) => a.length > 0);
    expect(blocking[0]).toMatchObject({
      condition: 'cover-open', blocking: true, kiosk_ids: [kioskId], ticket_number: ticket.number, public_id: ticket.public_id, tracking_url: ticket.tracking_url,
    });
    const waiting = await until(() => jobsOfTicket(ticket.id, key), (j) => j[0]?.status === 'waiting');
    expect(waiting[0]!.last_error).toContain('cover open');
    await new Promise((r) => setTimeout(r, 400)); // several retries while the cover stays open
    expect(alerts.filter((a) => a.ticket_id === ticket.id)).toHaveLength(1);
    expect(fake.received().length).toBe(0);

    // The next customer hears at once that their ticket will not print either.
    const next = await issueFromKiosk(key, 2);
    const nextAlerts = await until(async () => alerts.filter((a) => a.ticket_id === next.id), (a) => a.length > 0, 1000);
    expect(nextAlerts).toMatchObject([{ condition: 'cover-open', blocking: true, kiosk_ids: [kioskId] }]);
    expect((await jobsOfTicket(next.id, key))[0]).toMatchObject({ status: 'waiting' });

    fake.setState('ok');
    await fake.waitFor(hasText(next.number));
    const inOrder = printedLines(tokenize(fake.received())).map((l) => l.text).filter((text) => text === ticket.number || text === next.number);
    expect(inOrder).toEqual([ticket.number, next.number]);
    await until(() => jobsOfTicket(ticket.id, key), (j) => j[0]?.status === 'printed');
    await until(async () => alerts.filter((a) => a.ticket_id === ticket.id).map((a) => a.condition), (c) => c.includes('recovered'));

    fake.clear();
    const reprint = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${ticket.id}/print/`, { device: key, body: {} });
    expect(reprint.status, JSON.stringify(reprint.body)).toBe(201);
    expect(reprint.body).toMatchObject({ kind: 'reprint', ticket_number: ticket.number, printer_id: printerId });
    const bytes = await fake.waitFor(hasText('DUPLICATA / DUPLICATE'));
    const lines = printedLines(tokenize(bytes)).map((l) => l.text);
    expect(lines).toContain(ticket.number);
    const all = await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/?queue=${d.demo.queues[2]!.id}`, { token: d.adminToken });
    expect(all.body.results.filter((r: { number: string }) => r.number === ticket.number)).toHaveLength(1);
  });

  it("tells the staff watching the kiosk's queues over their queue channel, then that the printer recovered", async () => {
    const fake = await fakePrinter('paper-out');
    const printerId = await addPrinter(fake, { name: 'Borne hall' });
    const { key } = await kioskOn(printerId);
    const { probe: staff } = await WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/queues/${d.demo.queues[0]!.id}/`, { token: d.agentTokens[0]! }));
    try {
      const ticket = await issueFromKiosk(key, 0);
      const message = await staff.next((m) => m.event === 'printer.alert', 5_000);
      expect(QueueChannelMessage.parse(message)).toMatchObject({
        event: 'printer.alert', queue_id: d.demo.queues[0]!.id,
        alert: { condition: 'paper-out', blocking: true, printer_name: 'Borne hall', ticket_number: ticket.number },
      });
      fake.setState('ok');
      await staff.next((m) => m.event === 'printer.alert' && m.alert.condition === 'recovered', 5_000);
    } finally {
      await staff.close();
    }
  });

  it('prints with a warning when paper is near its end, and records "status unknown" for a printer that does not answer', async () => {
    const low = await fakePrinter('near-end');
    const lowId = await addPrinter(low, { name: 'Rouleau bas' });
    const lowKiosk = await kioskOn(lowId);
    const first = await issueFromKiosk(lowKiosk.key);
    await low.waitFor(hasText(first.number));
    const lowJobs = await until(() => jobsOfTicket(first.id, lowKiosk.key), (j) => j[0]?.status === 'printed');
    expect(lowJobs[0]!.last_error).toContain('paper near end');
    await until(async () => alerts.find((a) => a.ticket_id === first.id && a.condition === 'paper-near-end'), (a) => a !== undefined);

    const silent = await fakePrinter('silent');
    const silentId = await addPrinter(silent, { name: 'Muette' });
    const silentKiosk = await kioskOn(silentId);
    const second = await issueFromKiosk(silentKiosk.key);
    await silent.waitFor(hasText(second.number));
    const silentJobs = await until(() => jobsOfTicket(second.id, silentKiosk.key), (j) => j[0]?.status === 'printed');
    expect(silentJobs[0]!.last_error).toMatch(/^status unknown/);
    const printer = (await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${silentId}/`, { token: d.adminToken })).body;
    expect(printer).toMatchObject({ status: 'unknown', paper: 'unknown', online: null });
  });

  it('prints tickets of one printer in the order they were issued', async () => {
    const fake = await fakePrinter('ok');
    const printerId = await addPrinter(fake);
    const { key } = await kioskOn(printerId);
    const tickets: Array<Awaited<ReturnType<typeof issueFromKiosk>>> = [];
    for (let i = 0; i < 4; i++) tickets.push(await issueFromKiosk(key, i % 3));
    const bytes = await fake.waitFor((b) => tickets.every((tk) => hasText(tk.number)(b)));
    const numbers = printedLines(tokenize(bytes)).map((l) => l.text).filter((text) => tickets.some((tk) => tk.number === text));
    expect(numbers).toEqual(tickets.map((tk) => tk.number));
  });

  it('prints a test page, lists the job history and previews the ticket as SVG', async () => {
    const fake = await fakePrinter('ok');
    const printerId = await addPrinter(fake, { profile: { paper_width: 58, footer: 'Merci !' } });
    const test = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/${printerId}/test/`, { token: d.adminToken });
    expect(test.status).toBe(201);
    expect(test.body).toMatchObject({ kind: 'test', status: 'pending', ticket_id: null });
    // Double width on 58 mm paper: the title wraps after "PAGE DE TEST /".
    await fake.waitFor(hasText('PAGE DE TEST /'));

    const history = await until(
      async () => (await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printerId}/jobs/`, { token: d.adminToken })).body,
      (b) => b.results?.[0]?.status === 'printed',
    );
    expect(history).toMatchObject({ count: 1, results: [{ id: test.body.id, kind: 'test', printer_state: 'ok' }] });

    const preview = await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printerId}/preview/?duplicate=true`, { token: d.adminToken });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ width_dots: 384, paper_width_mm: 58, warnings: [] });
    expect(preview.body.svg).toMatch(/^<svg /);
    expect(preview.body.svg).toContain('DUPLICATA');
    expect(preview.body.svg).toContain('Merci !');
  });

  it('prints the Arabic labels as raster images with the server font, and previews them with no warning', async () => {
    const fake = await fakePrinter('ok');
    const printerId = await addPrinter(fake, { profile: { languages: ['fr', 'ar'] } });
    const { key } = await kioskOn(printerId);
    const ticket = await issueFromKiosk(key);
    const bytes = await fake.waitFor(hasText(ticket.number));
    const rasters = tokenize(bytes).filter((tk) => tk.type === 'raster');
    expect(rasters.length).toBeGreaterThanOrEqual(3);
    const jobs = await until(() => jobsOfTicket(ticket.id, key), (j) => j[0]?.status === 'printed');
    expect(jobs[0]!.last_error).not.toContain('arabic');
    const preview = await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printerId}/preview/`, { token: d.adminToken });
    expect(preview.body.warnings).toEqual([]);
    expect(preview.body.svg).toContain('data-text="رقمك"');
  });

  it('guards reprints: staff need a printer for a never-printed ticket, kiosks only reprint their own tickets, agents cannot test printers', async () => {
    const fake = await fakePrinter('ok');
    const printerId = await addPrinter(fake);
    const staffTicket = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.agentTokens[0], body: { queue: d.demo.queues[0]!.id } });
    const noPrinter = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${staffTicket.body.id}/print/`, { token: d.agentTokens[0], body: {} });
    expect(noPrinter.status).toBe(400);
    expect(noPrinter.body.details).toEqual([{ field: 'printer_id', message: 'required' }]);
    const ok = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${staffTicket.body.id}/print/`, { token: d.agentTokens[0], body: { printer_id: printerId } });
    expect(ok.status).toBe(201);
    await fake.waitFor(hasText(staffTicket.body.number));

    const { key } = await kioskOn(printerId);
    const foreign = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${staffTicket.body.id}/print/`, { device: key, body: {} });
    expect(foreign.status).toBe(403);
    const unknownPrinter = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${staffTicket.body.id}/print/`, {
      token: d.agentTokens[0], body: { printer_id: '00000000-0000-7000-8000-000000000000' },
    });
    expect(unknownPrinter.status).toBe(400);
    expect((await t.api('POST', `/api/v1/tenants/${d.slug}/printers/${printerId}/test/`, { token: d.agentTokens[0] })).status).toBe(403);
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printerId}/jobs/`, { device: key })).status).toBe(403);
  });
});
