import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { startFakePrinter, type FakePrinter } from '../helpers/fake-printer.ts';
import { pairNewDevice } from '../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

describe('agent desk: printer alerts', { timeout: 60_000 }, () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let printer: FakePrinter;
  beforeAll(async () => {
    t = await startTestServer({ jobs: { runner: { pollMs: 100 }, printing: { waitRetryMs: 200, timeouts: { connectMs: 500, statusMs: 200, writeMs: 2000 } } } });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    printer = await startFakePrinter('paper-out');
  });
  afterAll(async () => {
    await browser?.close();
    await printer?.close();
    await t?.close();
  });

  it('tells the agent when the kiosk printer runs out of paper, and clears it once it prints again', async () => {
    const base = `/api/v1/tenants/${d.slug}`;
    const created = await t.api('POST', `${base}/printers/`, { token: d.adminToken, body: { name: 'Borne hall', transport: 'network', host: printer.host, port: printer.port } });
    const kiosk = await t.api('POST', `${base}/kiosks/`, { token: d.adminToken, body: { name: 'Hall', queue_ids: d.demo.queues.map((q) => q.id), printer_id: created.body.id } });
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });

    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/agent`);
    await page.getByLabel('Adresse e-mail').fill(d.demo.agents[0]!.email);
    await page.getByLabel('Mot de passe').fill(d.demo.agents[0]!.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('button', { name: 'Ouvrir le guichet' }).click();
    await page.getByTestId('waiting-list').waitFor();

    const ticket = (await t.api('POST', `${base}/tickets/`, { device: device.key, body: { queue: d.demo.queues[0]!.id } })).body;
    const alert = page.getByTestId('printer-alert');
    await expect.poll(() => alert.getAttribute('data-condition'), { timeout: 8_000 }).toBe('paper-out');
    expect(await alert.textContent()).toContain('plus de papier');
    expect(await alert.textContent()).toContain(`Le ticket ${ticket.number}`);
    await screenshot(page, 'agent-printer-alert-fr');

    printer.setState('ok');
    await expect.poll(() => alert.count(), { timeout: 8_000 }).toBe(0);
    await context.close();
  });
});
