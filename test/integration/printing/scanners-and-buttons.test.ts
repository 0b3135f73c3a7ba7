import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentChannelMessage } from '../../../branch-server/contract/realtime.contract.ts';
import { DeviceAgent } from '../../../hardware/print-agent/agent.ts';
import { PrintJournal } from '../../../hardware/print-agent/print-journal.ts';
import { createFakeHidKeyboard, type FakeHidKeyboard } from '../../helpers/fake-hid-keyboard.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { hasSocat, startPtyPair } from '../../helpers/socat.ts';
import { WsProbe, wsUrl } from '../realtime/ws-probe.ts';

// Monday 4 March 2030, 09:05 in Dakar (UTC): appointments from 09:15 on can be booked for today.
const NOW = Date.parse('2030-03-04T09:05:00Z');

type InputAnswer = { ok: boolean; code: string | null; detail: string; ticket_number: string | null };

let t: TestServer;
let d: DemoTenant;
let agentDeviceId: string;
let agent: DeviceAgent;
const answers: InputAnswer[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  t = await startTestServer({ now: () => NOW, realtime: { heartbeatMs: 500 } });
  d = await seedDemoTenant(t, 'scan-bank');
  const device = await pairNewDevice(t, d, { type: 'print_agent', name: 'PC guichet 1' });
  agentDeviceId = device.id;
  const dataDir = mkdtempSync(join(tmpdir(), 'sq-agent-'));
  const journal = new PrintJournal(dataDir);
  agent = new DeviceAgent({ serverUrl: t.url, deviceKey: device.key, journal, backoff: { baseMs: 50, maxMs: 200 }, inputTimings: { reopenMs: 200, debounceMs: 300 } });
  agent.on('input', (answer) => answers.push(answer));
  cleanups.push(async () => {
    await agent.stop();
    journal.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const connected = new Promise<void>((resolve) => agent.once('connected', resolve));
  agent.start();
  await connected;
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await t.close();
});

const inputs = (deviceId = agentDeviceId) => `/api/v1/tenants/${d.slug}/devices/${deviceId}/inputs/`;

async function addInput(body: Record<string, unknown>): Promise<{ id: string; state: string; last_error: string }> {
  const res = await t.api('POST', inputs(), { token: d.adminToken, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function inputState(id: string): Promise<{ state: string; last_error: string; last_event_at: string | null }> {
  return (await t.api('GET', inputs(), { token: d.adminToken })).body.find((i: { id: string }) => i.id === id);
}

async function until<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

async function nextAnswer(from: number): Promise<InputAnswer> {
  return (await until(() => answers.slice(from), (a) => a.length > 0))[0]!;
}

function fakeHid(): FakeHidKeyboard {
  const fake = createFakeHidKeyboard();
  cleanups.push(() => fake.close());
  return fake;
}

async function book(startsAt: string): Promise<{ id: string; check_in_code: string }> {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/appointments/`, {
    token: d.adminToken, body: { service: d.demo.services[0]!.id, starts_at: startsAt, customer_name: 'Awa Diop', customer_phone: '+221770000001' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The desk of demo agent `index`, following its agent channel as the agent desk page does. */
async function desk(index: number): Promise<WsProbe> {
  const agentId = d.demo.agents[index]!.userId;
  const { probe } = await WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/agents/${agentId}/`, { token: d.agentTokens[index]! }));
  cleanups.push(() => probe.close());
  return probe;
}

describe('a HID barcode scanner at a counter (fake HID keyboard speaking boot reports)', () => {
  it('checks in an appointment from its code and opens the new ticket at the desk of its agent', async () => {
    const hid = fakeHid();
    const scanner = await addInput({ name: 'Douchette guichet 1', kind: 'scanner', source: 'hid', path: hid.path, agent_id: d.demo.agents[0]!.userId });
    expect(scanner).toMatchObject({ state: 'unknown' });
    await until(() => inputState(scanner.id), (s) => s.state === 'ok');
    const counter = await desk(0);
    const appointment = await book('2030-03-04T10:00:00Z');

    const from = answers.length;
    hid.type(`${appointment.check_in_code}\n`);
    const opened = AgentChannelMessage.parse(await counter.next((m) => m.type === 'open_ticket', 5000));
    expect(opened).toMatchObject({ type: 'open_ticket', agent_id: d.demo.agents[0]!.userId, source: 'scanner', checked_in: true });
    const ticket = (opened as Extract<AgentChannelMessage, { type: 'open_ticket' }>).ticket;
    expect(ticket).toMatchObject({ status: 'en_attente', queue: d.demo.queues[0]!.id, customer_name: 'Awa Diop' });
    expect(await nextAnswer(from)).toMatchObject({ ok: true, code: null, detail: `Checked in: ticket ${ticket.number}.`, ticket_number: ticket.number });
    const after = (await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/appointments/${appointment.id}/`, { token: d.adminToken })).body;
    expect(after).toMatchObject({ status: 'checked_in', ticket: ticket.id });
    expect((await inputState(scanner.id)).last_event_at).toBe(new Date(NOW).toISOString());

    // The same code scanned again opens the same ticket: no second ticket, no error at the counter.
    const again = answers.length;
    hid.type(`${appointment.check_in_code.toLowerCase()}\n`);
    const reopened = await counter.next((m) => m.type === 'open_ticket', 5000);
    expect(reopened).toMatchObject({ checked_in: false, ticket: { id: ticket.id } });
    expect(await nextAnswer(again)).toMatchObject({ ok: true, ticket_number: ticket.number });

    // A ticket's QR (its tracking link) opens that ticket.
    const walkIn = (await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[1]!.id } })).body;
    hid.type(`${walkIn.tracking_url}\n`);
    expect(await counter.next((m) => m.type === 'open_ticket', 5000)).toMatchObject({ checked_in: false, ticket: { id: walkIn.id, number: walkIn.number } });

    // Anything else is refused, and nothing opens.
    const junk = answers.length;
    hid.type('HELLO-WORLD-123\n');
    expect(await nextAnswer(junk)).toMatchObject({ ok: false, code: 'invalid-reference' });
    await expect(counter.next((m) => m.type === 'open_ticket', 300)).rejects.toThrow();
  });

  it('reports a scanner it cannot open, then opens it once it is plugged in', async () => {
    const path = `/dev/shm/sq-unplugged-${Date.now()}`;
    const scanner = await addInput({ name: 'Douchette débranchée', kind: 'scanner', source: 'hid', path });
    const state = await until(() => inputState(scanner.id), (s) => s.state === 'error');
    expect(state.last_error).toMatch(/ENOENT/);
    const hid = createFakeHidKeyboard();
    cleanups.push(() => hid.close());
    // Point the input at the device now present: the agent gets its new configuration at once.
    const patched = await t.api('PATCH', `${inputs()}${scanner.id}/`, { token: d.adminToken, body: { path: hid.path } });
    expect(patched.status).toBe(200);
    await until(() => inputState(scanner.id), (s) => s.state === 'ok');
  });
});

describe('call buttons', () => {
  it('a HID button calls the next customer for its agent', async () => {
    const button = fakeHid();
    const input = await addInput({ name: 'Bouton guichet 3', kind: 'button', source: 'hid', path: button.path, agent_id: d.demo.agents[2]!.userId });
    await until(() => inputState(input.id), (s) => s.state === 'ok');
    // Agent 3 serves the third queue only: a customer waits there.
    const queueId = d.demo.queues[2]!.id;
    const waiting = (await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: queueId } })).body;
    const counter = await desk(2);

    const from = answers.length;
    button.press(0x3e); // F5, what many USB call buttons send
    expect(await nextAnswer(from)).toMatchObject({ ok: true, ticket_number: waiting.number });
    expect(await counter.next((m) => m.type === 'status_updated', 5000)).toMatchObject({ payload: { status: 'busy' } });
    const called = (await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/${waiting.id}/`, { token: d.adminToken })).body;
    expect(called).toMatchObject({ status: 'appele', agent: d.demo.agents[2]!.userId });
    const event = (await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/${waiting.id}/events/`, { token: d.adminToken })).body;
    const call = (event.results ?? event).find((e: { type: string }) => e.type === 'ticket.called');
    expect(call).toBeDefined();

    // Pressed again while serving: refused as at the desk (one ticket at a time), nothing changes.
    await new Promise((r) => setTimeout(r, 350));
    const second = answers.length;
    button.press(0x3e);
    expect(await nextAnswer(second)).toMatchObject({ ok: false, code: 'agent-has-active-ticket' });
  });

  it.skipIf(!hasSocat)('a serial button (socat pty) calls next; a serial scanner checks in', async () => {
    const buttonLine = await startPtyPair();
    const scannerLine = await startPtyPair();
    cleanups.push(() => buttonLine.close(), () => scannerLine.close());
    const button = await addInput({ name: 'Bouton série', kind: 'button', source: 'serial', path: buttonLine.a, agent_id: d.demo.agents[1]!.userId });
    const scanner = await addInput({ name: 'Douchette série', kind: 'scanner', source: 'serial', path: scannerLine.a, baud_rate: 115200 });
    await until(() => inputState(button.id), (s) => s.state === 'ok');
    await until(() => inputState(scanner.id), (s) => s.state === 'ok');
    const open = async (path: string) => {
      const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
      await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
      cleanups.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
      return port;
    };

    const appointment = await book('2030-03-04T11:00:00Z');
    const scannerPort = await open(scannerLine.b);
    const scanned = answers.length;
    scannerPort.write(`${appointment.check_in_code}\r\n`);
    const checkedIn = await nextAnswer(scanned);
    expect(checkedIn).toMatchObject({ ok: true });
    expect(checkedIn.detail).toMatch(/^Checked in/);

    // Agent 2 serves the second queue: a customer waits there.
    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[1]!.id } });
    const buttonPort = await open(buttonLine.b);
    const pressed = answers.length;
    buttonPort.write('1');
    const call = await nextAnswer(pressed);
    expect(call.ok, call.detail).toBe(true);
    const profile = (await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/?agent=${d.demo.agents[1]!.userId}&status=appele`, { token: d.adminToken })).body;
    expect(profile.results.map((r: { number: string }) => r.number)).toEqual([call.ticket_number]);
  });
});

describe('configuring inputs', () => {
  it('refuses a button without an agent, inputs on a kiosk device, agents of nothing, and changes nothing', async () => {
    const count = async () => (await t.api('GET', inputs(), { token: d.adminToken })).body.length;
    const before = await count();
    const noAgent = await t.api('POST', inputs(), { token: d.adminToken, body: { name: 'B', kind: 'button', source: 'hid', path: '/dev/hidraw3' } });
    expect(noAgent.status).toBe(400);
    expect(noAgent.body.details).toEqual([{ field: 'agent_id', message: 'required for a button' }]);
    const notAgent = await t.api('POST', inputs(), {
      token: d.adminToken, body: { name: 'B', kind: 'button', source: 'hid', path: '/dev/hidraw3', agent_id: '00000000-0000-7000-8000-000000000000' },
    });
    expect(notAgent.status).toBe(400);
    expect(notAgent.body.details).toEqual([{ field: 'agent_id', message: 'not an active agent of this tenant' }]);
    const badPath = await t.api('POST', inputs(), { token: d.adminToken, body: { name: 'S', kind: 'scanner', source: 'serial', path: '/tmp/x' } });
    expect(badPath.status).toBe(400);
    const hidBaud = await t.api('POST', inputs(), { token: d.adminToken, body: { name: 'S', kind: 'scanner', source: 'hid', path: '/dev/hidraw1', baud_rate: 9600 } });
    expect(hidBaud.status).toBe(400);
    expect(await count()).toBe(before);

    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'K', queue_ids: [d.demo.queues[0]!.id] } });
    const kioskDevice = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
    const onKiosk = await t.api('POST', inputs(kioskDevice.id), { token: d.adminToken, body: { name: 'S', kind: 'scanner', source: 'hid', path: '/dev/hidraw1' } });
    expect(onKiosk.status).toBe(400);
    expect(onKiosk.body.details).toEqual([{ field: 'device', message: 'not a print agent' }]);
    const agentCannot = await t.api('GET', inputs(), { token: d.agentTokens[0] });
    expect(agentCannot.status).toBe(403);
  });
});
