import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAgent } from '../../hardware/print-agent/agent.ts';
import { PrintJournal } from '../../hardware/print-agent/print-journal.ts';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { createFakeHidKeyboard, type FakeHidKeyboard } from '../helpers/fake-hid-keyboard.ts';
import { pairNewDevice } from '../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

// Monday 4 March 2030, 09:05 in Dakar (UTC all year), moving on in real time: 10:00 is a bookable slot of today.
const START = Date.parse('2030-03-04T09:05:00Z');

describe('agent desk: a scanner at the counter checks in an appointment and opens its ticket', { timeout: 60_000 }, () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let agent: DeviceAgent;
  let journal: PrintJournal;
  let hid: FakeHidKeyboard;
  let dataDir: string;

  beforeAll(async () => {
    const origin = Date.now();
    t = await startTestServer({ now: () => START + (Date.now() - origin) });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    const device = await pairNewDevice(t, d, { type: 'print_agent', name: 'PC guichet 1' });
    hid = createFakeHidKeyboard();
    const input = await t.api('POST', `/api/v1/tenants/${d.slug}/devices/${device.id}/inputs/`, {
      token: d.adminToken, body: { name: 'Douchette', kind: 'scanner', source: 'hid', path: hid.path, agent_id: d.demo.agents[0]!.userId },
    });
    expect(input.status).toBe(201);
    dataDir = mkdtempSync(join(tmpdir(), 'sq-agent-'));
    journal = new PrintJournal(dataDir);
    agent = new DeviceAgent({ serverUrl: t.url, deviceKey: device.key, journal });
    const connected = new Promise<void>((resolve) => agent.once('connected', resolve));
    agent.start();
    await connected;
  });
  afterAll(async () => {
    await agent?.stop();
    journal?.close();
    hid?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await browser?.close();
    await t?.close();
  });

  it('shows the checked-in ticket and its customer at the desk of the scanner’s agent, accessibly', async () => {
    const appointment = (await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/appointments/`, {
      token: d.adminToken, body: { service: d.demo.services[0]!.id, starts_at: '2030-03-04T10:00:00Z', customer_name: 'Awa Diop', customer_phone: '+221770000009' },
    })).body as { check_in_code: string };

    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/agent`);
    await page.getByLabel('Adresse e-mail').fill(d.demo.agents[0]!.email);
    await page.getByLabel('Mot de passe').fill(d.demo.agents[0]!.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('button', { name: 'Ouvrir le guichet' }).click();
    await page.getByTestId('waiting-list').waitFor();
    await expect.poll(() => page.locator('.desk-live--live').count(), { timeout: 8_000 }).toBe(1);

    hid.type(`${appointment.check_in_code}\n`);
    const dialog = page.getByRole('dialog', { name: /Ticket A\d+ scanné/ });
    await dialog.waitFor({ timeout: 8_000 });
    const number = await dialog.locator('.desk-scanned__number').textContent();
    expect(number).toMatch(/^A\d{3}$/);
    expect(await dialog.textContent()).toContain(`Rendez-vous enregistré : le client a le ticket ${number}.`);
    expect(await dialog.textContent()).toContain('Awa Diop');
    // The new ticket is in the waiting list too.
    await page.getByTestId('waiting-list').locator(`tr[data-number="${number}"]`).waitFor();
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'agent-scanned-ticket-fr');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await context.close();
  });
});
