import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_AGENT_PATH } from '../../../branch-server/contract/device-agent.contract.ts';
import { DeviceAgent } from '../../../hardware/print-agent/agent.ts';
import { PrintJournal } from '../../../hardware/print-agent/print-journal.ts';
import { printedLines, tokenize } from '../../helpers/escpos-tokenizer.ts';
import { startFakePrinter, type FakePrinter } from '../../helpers/fake-printer.ts';
import { openFakeSerialPrinter } from '../../helpers/fake-serial-printer.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { spawnPrintAgent, type AgentProcess } from '../../helpers/print-agent.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { hasSocat, startPtyPair } from '../../helpers/socat.ts';
import { WsProbe, wsUrl } from '../realtime/ws-probe.ts';

let t: TestServer;
let d: DemoTenant;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  t = await startTestServer({
    realtime: { heartbeatMs: 500 },
    jobs: { runner: { pollMs: 100 }, printing: { waitRetryMs: 150, timeouts: { connectMs: 500, statusMs: 200, writeMs: 2000 } } },
  });
  d = await seedDemoTenant(t, 'agent-bank');
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await t.close();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sq-agent-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fakePrinter(state: Parameters<typeof startFakePrinter>[0] = 'ok'): Promise<FakePrinter> {
  const fake = await startFakePrinter(state);
  cleanups.push(() => fake.close());
  return fake;
}

/** Registers a print agent in the console; returns its id and one-time pairing code. */
async function registerAgent(name = 'PC kiosque'): Promise<{ id: string; code: string }> {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/devices/`, { token: d.adminToken, body: { type: 'print_agent', name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, code: res.body.pairing_code };
}

async function addPrinter(body: Record<string, unknown>): Promise<string> {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, { token: d.adminToken, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function kioskOn(printerId: string): Promise<string> {
  const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, {
    token: d.adminToken, body: { name: `Kiosk ${printerId.slice(-4)}`, queue_ids: d.demo.queues.map((q) => q.id), printer_id: printerId },
  });
  expect(kiosk.status, JSON.stringify(kiosk.body)).toBe(201);
  return (await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id })).key;
}

async function issue(kioskKey: string): Promise<{ id: string; number: string }> {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: kioskKey, body: { queue: d.demo.queues[0]!.id } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function jobOf(ticketId: string, kioskKey: string): Promise<{ status: string; last_error: string; printed_on_printer_id: string | null }> {
  return (await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/${ticketId}/print/`, { device: kioskKey })).body[0];
}

/** Generous: with two test files at a time beside PGlite-heavy cloud files, a print round can take seconds. */
async function until<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

const safeLines = (bytes: Buffer): string[] => {
  try {
    return printedLines(tokenize(bytes)).map((l) => l.text);
  } catch {
    return [];
  }
};
/** How many times each ticket number was printed. */
const timesPrinted = (bytes: Buffer, number: string) => safeLines(bytes).filter((text) => text === number).length;
const isComplete = (bytes: Buffer) => {
  try {
    return tokenize(bytes).some((tk) => tk.type === 'cut');
  } catch {
    return false;
  }
};

/** An agent inside this test process, paired through the API (its journal in a fresh directory unless given). */
async function inProcessAgent(deviceKey: string, dataDir = tempDir()): Promise<DeviceAgent> {
  const journal = new PrintJournal(dataDir);
  const agent = new DeviceAgent({ serverUrl: t.url, deviceKey, journal, backoff: { baseMs: 50, maxMs: 200 } });
  cleanups.push(async () => {
    await agent.stop();
    journal.close();
  });
  const connected = new Promise<void>((resolve) => agent.once('connected', resolve));
  agent.start();
  await connected;
  return agent;
}

async function pairedAgentKey(name?: string): Promise<{ id: string; key: string }> {
  const { id, code } = await registerAgent(name);
  const paired = await t.api('POST', '/api/v1/devices/pair/', { body: { pairing_code: code } });
  expect(paired.status).toBe(200);
  return { id, key: paired.body.device_key };
}

describe('print agent (npm run print-agent) over a real ws connection', () => {
  let agent: AgentProcess;
  let dataDir: string;
  let agentId: string;
  let fake: FakePrinter;
  let kioskKey: string;
  let printerId: string;

  it('pairs with its one-time code, then prints the tickets of the printer it hosts', async () => {
    const registered = await registerAgent('PC borne hall');
    agentId = registered.id;
    dataDir = tempDir();
    agent = spawnPrintAgent(['--server', t.url, '--pair', registered.code, '--data-dir', dataDir]);
    cleanups.push(() => agent.kill());
    await agent.waitForOutput(/connected to http/);
    expect(agent.output()).toMatch(/Paired with .* as device /);

    fake = await fakePrinter('ok');
    printerId = await addPrinter({ name: 'Borne hall (USB du PC)', transport: 'network', host: fake.host, port: fake.port, agent_device_id: agentId });
    kioskKey = await kioskOn(printerId);
    const ticket = await issue(kioskKey);
    await fake.waitFor((b) => timesPrinted(b, ticket.number) === 1 && isComplete(b));
    const job = await until(() => jobOf(ticket.id, kioskKey), (j) => j?.status === 'printed');
    expect(job.printed_on_printer_id).toBe(printerId);
    const printer = (await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printerId}/`, { token: d.adminToken })).body;
    expect(printer).toMatchObject({ agent_device_id: agentId, status: 'ok', online: true, paper: 'ok' });
    const device = (await t.api('GET', `/api/v1/tenants/${d.slug}/devices/${agentId}/`, { token: d.adminToken })).body;
    expect(device).toMatchObject({ type: 'print_agent', status: 'paired' });
    expect(device.last_seen_at).not.toBeNull();
    // The pairing code was single use: it cannot pair a second agent.
    const again = await t.api('POST', '/api/v1/devices/pair/', { body: { pairing_code: registered.code } });
    expect(again.status).toBe(400);
  });

  it('killed while tickets are issued: they wait, and once restarted it prints each exactly once, in order', async () => {
    const before = fake.received().length;
    const first = (await issue(kioskKey)).number;
    await fake.waitFor((b) => timesPrinted(b, first) === 1 && isComplete(b.subarray(before)));

    await agent.kill();
    const waiting = [await issue(kioskKey), await issue(kioskKey), await issue(kioskKey)];
    const held = await until(() => jobOf(waiting[0]!.id, kioskKey), (j) => j?.status === 'waiting');
    expect(held.last_error).toMatch(/not connected/);
    const health = (await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printerId}/`, { token: d.adminToken })).body;
    expect(health).toMatchObject({ status: 'offline', online: false });
    expect(health.last_error).toMatch(/not connected/);
    await new Promise((r) => setTimeout(r, 400)); // several retries while the agent is away
    expect(waiting.every((tk) => timesPrinted(fake.received(), tk.number) === 0)).toBe(true);

    // Restarted with no arguments but its data directory: the stored key, no new pairing.
    agent = spawnPrintAgent(['--data-dir', dataDir]);
    cleanups.push(() => agent.kill());
    await agent.waitForOutput(/connected to http/);
    const bytes = await fake.waitFor((b) => waiting.every((tk) => timesPrinted(b, tk.number) === 1), 10_000);
    for (const tk of waiting) await until(() => jobOf(tk.id, kioskKey), (j) => j?.status === 'printed');
    await new Promise((r) => setTimeout(r, 300));
    const lines = safeLines(fake.received());
    expect([first, ...waiting.map((tk) => tk.number)].map((n) => lines.filter((l) => l === n).length)).toEqual([1, 1, 1, 1]);
    expect(lines.filter((l) => [first, ...waiting.map((tk) => tk.number)].includes(l))).toEqual([first, ...waiting.map((tk) => tk.number)]);
    expect(bytes.length).toBeGreaterThan(before);
  });

  it('stops for good, saying why, when its key is revoked', async () => {
    const revoked = await t.api('DELETE', `/api/v1/tenants/${d.slug}/devices/${agentId}/`, { token: d.adminToken });
    expect(revoked.status).toBe(204);
    expect(await agent.exited).toBe(2);
    expect(agent.output()).toMatch(/revoked/i);
  });
});

describe('print agent in-process: lost answers, serial printers, fallback, access', () => {
  it('does not print a job twice when the answer is lost after printing: the server sends it again, the journal answers', async () => {
    const { id, key } = await pairedAgentKey('PC guichet 3');
    const fake = await fakePrinter('ok');
    const printerId = await addPrinter({ name: 'Guichet 3', transport: 'network', host: fake.host, port: fake.port, agent_device_id: id });
    const kioskKey = await kioskOn(printerId);
    const agent = await inProcessAgent(key);
    const printed: Array<[string, boolean]> = [];
    agent.on('printed', (jobId, duplicate) => {
      printed.push([jobId, duplicate]);
      // The connection dies between printing and answering, as when the network is cut.
      if (!duplicate) agent.dropConnection();
    });
    const ticket = await issue(kioskKey);
    const job = await until(() => jobOf(ticket.id, kioskKey), (j) => j?.status === 'printed');
    expect(job.printed_on_printer_id).toBe(printerId);
    expect(printed.map(([, duplicate]) => duplicate)).toEqual([false, true]);
    expect(new Set(printed.map(([jobId]) => jobId)).size).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(timesPrinted(fake.received(), ticket.number)).toBe(1);
  });

  it.skipIf(!hasSocat)('prints on a serial printer attached to its PC (socat pty pair, real serialport binding)', async () => {
    const pair = await startPtyPair();
    const serial = await openFakeSerialPrinter(pair.b);
    cleanups.push(async () => {
      await serial.close();
      await pair.close();
    });
    const { id, key } = await pairedAgentKey('PC borne étage');
    const printerId = await addPrinter({ name: 'Série borne', transport: 'serial', path: pair.a, baud_rate: 9600, agent_device_id: id });
    const kioskKey = await kioskOn(printerId);
    await inProcessAgent(key);
    const ticket = await issue(kioskKey);
    await serial.waitFor((b) => timesPrinted(b, ticket.number) === 1 && isComplete(b));
    await until(() => jobOf(ticket.id, kioskKey), (j) => j?.status === 'printed');

    serial.setPaperOut(true);
    const second = await issue(kioskKey);
    const held = await until(() => jobOf(second.id, kioskKey), (j) => j?.status === 'waiting');
    expect(held.last_error).toContain('out of paper');
    serial.setPaperOut(false);
    await serial.waitFor((b) => timesPrinted(b, second.number) === 1 && isComplete(b));
  });

  it('sends the tickets to the fallback printer while the agent is offline', async () => {
    const { id } = await pairedAgentKey('PC jamais connecté');
    const fallback = await fakePrinter('ok');
    const fallbackId = await addPrinter({ name: 'Accueil (réseau)', transport: 'network', host: fallback.host, port: fallback.port });
    const hosted = await fakePrinter('ok');
    const printerId = await addPrinter({
      name: 'Borne (agent)', transport: 'network', host: hosted.host, port: hosted.port, agent_device_id: id, fallback_printer_id: fallbackId,
    });
    const kioskKey = await kioskOn(printerId);
    const ticket = await issue(kioskKey);
    await fallback.waitFor((b) => timesPrinted(b, ticket.number) === 1 && isComplete(b));
    const job = await until(() => jobOf(ticket.id, kioskKey), (j) => j?.status === 'printed');
    expect(job.printed_on_printer_id).toBe(fallbackId);
    expect(hosted.received().length).toBe(0);
  });

  it('opens the agent connection to paired print agents only, and refuses a printer bound to anything else', async () => {
    const url = wsUrl(t.url, DEVICE_AGENT_PATH);
    await expect(WsProbe.open(url)).rejects.toThrow(/401/);
    await expect(WsProbe.open(url, { headers: { authorization: `Bearer ${d.agentTokens[0]}` } })).rejects.toThrow(/403/);
    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'K', queue_ids: [d.demo.queues[0]!.id] } });
    const kioskDevice = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
    await expect(WsProbe.open(url, { headers: { authorization: `Device ${kioskDevice.key}` } })).rejects.toThrow(/403/);

    const count = async () => (await t.api('GET', `/api/v1/tenants/${d.slug}/printers/`, { token: d.adminToken })).body.count;
    const before = await count();
    const notAnAgent = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, {
      token: d.adminToken, body: { name: 'X', transport: 'network', host: '127.0.0.1', agent_device_id: kioskDevice.id },
    });
    expect(notAnAgent.status).toBe(400);
    expect(notAnAgent.body.details).toEqual([{ field: 'agent_device_id', message: 'not a print agent' }]);
    const unknown = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, {
      token: d.adminToken, body: { name: 'X', transport: 'network', host: '127.0.0.1', agent_device_id: '00000000-0000-7000-8000-000000000000' },
    });
    expect(unknown.status).toBe(400);
    expect(await count()).toBe(before);
  });
});
