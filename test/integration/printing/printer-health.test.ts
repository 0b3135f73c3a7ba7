import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrinterAlert } from '../../../branch-server/contract/printing.contract.ts';
import { PrinterLocks } from '../../../branch-server/jobs/printer-access.ts';
import { healthTransition } from '../../../branch-server/jobs/printer-health.ts';
import type { DomainEvent } from '../../../branch-server/use-cases/events.ts';
import { startFakePrinter, type FakePrinter } from '../../helpers/fake-printer.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { WsProbe, wsUrl } from '../realtime/ws-probe.ts';

let t: TestServer;
let d: DemoTenant;
let fake: FakePrinter;
const alerts: PrinterAlert[] = [];

beforeAll(async () => {
  t = await startTestServer({
    jobs: { runner: { pollMs: 100 }, health: { intervalMs: 500 }, printing: { timeouts: { connectMs: 500, statusMs: 200, writeMs: 2000 } } },
  });
  d = await seedDemoTenant(t, 'health-bank');
  t.server.events.subscribe((e: DomainEvent) => {
    if (e.kind === 'printer-alert') alerts.push(e.alert);
  });
  fake = await startFakePrinter('ok');
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

async function until<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('health of idle printers (PRINTER_HEALTH_SECONDS)', () => {
  it('reads an idle printer, tells staff when it runs out of paper before anyone takes a ticket, and when it is back', async () => {
    const printer = (await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, {
      token: d.adminToken, body: { name: 'Borne accueil', transport: 'network', host: fake.host, port: fake.port },
    })).body;
    await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'Accueil', queue_ids: [d.demo.queues[0]!.id], printer_id: printer.id } });
    const read = () => t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printer.id}/`, { token: d.adminToken }).then((r) => r.body);
    const healthy = await until(read, (p) => p.last_checked_at !== null);
    expect(healthy).toMatchObject({ status: 'ok', online: true, paper: 'ok' });
    expect(fake.received().length).toBe(0);

    const { probe: staff } = await WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/queues/${d.demo.queues[0]!.id}/`, { token: d.agentTokens[0]! }));
    try {
      fake.setState('paper-out');
      const out = await staff.next((m) => m.event === 'printer.alert', 8_000);
      expect(out.alert).toMatchObject({ condition: 'paper-out', blocking: true, printer_id: printer.id, ticket_id: null, ticket_number: null });
      expect(await read()).toMatchObject({ status: 'paper-out', paper: 'out' });
      // Still out at the next reads: no new alert.
      await new Promise((r) => setTimeout(r, 1500));
      expect(alerts.filter((a) => a.printer_id === printer.id && a.condition === 'paper-out')).toHaveLength(1);

      fake.setState('ok');
      const back = await staff.next((m) => m.event === 'printer.alert', 8_000);
      expect(back.alert).toMatchObject({ condition: 'recovered', blocking: false, printer_id: printer.id });
    } finally {
      await staff.close();
    }
  });

  it('finds a printer whose print agent is not connected offline, saying so', async () => {
    const agent = await pairNewDevice(t, d, { type: 'print_agent', name: 'PC éteint' });
    const printer = (await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, {
      token: d.adminToken, body: { name: 'Borne étage', transport: 'serial', path: '/dev/ttyUSB0', agent_device_id: agent.id },
    })).body;
    const alert = await until(() => alerts.find((a) => a.printer_id === printer.id), (a) => a !== undefined);
    expect(alert).toMatchObject({ condition: 'offline', blocking: true });
    expect(alert!.message).toMatch(/not connected/);
  });

  it('decides alerts from state changes only', () => {
    expect(healthTransition('unknown', 'ok')).toBeNull();
    expect(healthTransition('ok', 'paper-out')).toBe('paper-out');
    expect(healthTransition('paper-out', 'paper-out')).toBeNull();
    expect(healthTransition('paper-out', 'cover-open')).toBe('cover-open');
    expect(healthTransition('offline', 'near-end')).toBe('recovered');
    expect(healthTransition('ok', 'near-end')).toBe('paper-near-end');
    expect(healthTransition('near-end', 'near-end')).toBeNull();
    expect(healthTransition('paper-out', 'unknown')).toBeNull();
  });

  it('lets one user talk to a printer at a time, in the order they asked', async () => {
    const locks = new PrinterLocks();
    const order: string[] = [];
    const first = await locks.acquire('p1');
    const second = locks.acquire('p1').then((release) => {
      order.push('second');
      release();
    });
    const other = locks.acquire('p2').then((release) => {
      order.push('other printer');
      release();
    });
    await other;
    expect(order).toEqual(['other printer']);
    expect(locks.busy('p1')).toBe(true);
    order.push('first done');
    first();
    await second;
    expect(order).toEqual(['other printer', 'first done', 'second']);
    expect(locks.busy('p1')).toBe(false);
  });
});
