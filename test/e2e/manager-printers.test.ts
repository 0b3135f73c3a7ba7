import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { printedLines, tokenize } from '../helpers/escpos-tokenizer.ts';
import { startFakePrinter, type FakePrinter } from '../helpers/fake-printer.ts';
import { pairNewDevice } from '../helpers/pairing.ts';
import { encodePng } from '../helpers/png-encoder.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { signIn } from './manager-helpers.ts';

describe('manager console: printers, their health and alerts, the ticket logo', { timeout: 90_000 }, () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let fake: FakePrinter;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const complete = (text: string) => (bytes: Buffer) => {
    try {
      const tokens = tokenize(bytes);
      return printedLines(tokens).some((l) => l.text.includes(text)) && tokens.some((tk) => tk.type === 'cut');
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    t = await startTestServer({ jobs: { runner: { pollMs: 100 }, printing: { waitRetryMs: 200, timeouts: { connectMs: 500, statusMs: 200, writeMs: 2000 } } } });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    fake = await startFakePrinter('ok');
    ({ context, page } = await newPage(browser, 'desk'));
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD, '#/printers');
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await fake?.close();
    await t?.close();
  });

  it('adds a network printer, prints a test page, shows its health and history, assigns it to a kiosk', async () => {
    await page.getByRole('button', { name: 'Nouvelle imprimante' }).click();
    const form = page.getByRole('dialog', { name: 'Nouvelle imprimante' });
    await form.getByLabel('Nom', { exact: true }).fill('Borne hall');
    await form.getByLabel('Adresse IP ou nom').fill(fake.host);
    await form.getByLabel('Port', { exact: true }).fill(String(fake.port));
    await form.getByLabel('العربية').check();
    await form.getByRole('button', { name: 'Créer' }).click();
    const row = page.locator('tbody tr', { hasText: 'Borne hall' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Branchée au serveur de l’agence');

    await page.getByRole('button', { name: 'Tester « Borne hall » (page de test)' }).click();
    await fake.waitFor(complete('PAGE DE TEST'));
    await expect.poll(() => row.getByTestId('printer-state').getAttribute('data-state'), { timeout: 8_000 }).toBe('ok');
    await page.getByRole('button', { name: 'Historique de « Borne hall »' }).click();
    const history = page.getByRole('dialog', { name: /Historique d’impression/ });
    await expect.poll(() => history.locator('tr[data-status="printed"]').count()).toBe(1);
    expect(await history.textContent()).toContain('Page de test');
    await history.getByRole('button', { name: 'Fermer' }).click();

    await page.getByRole('button', { name: 'Aperçu du ticket sur « Borne hall »' }).click();
    const preview = page.getByRole('dialog', { name: /Aperçu du ticket/ });
    await preview.getByRole('img', { name: /Ticket d’exemple/ }).waitFor();
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'manager-printer-preview-fr');
    await preview.getByRole('button', { name: 'Fermer' }).click();

    await page.getByRole('navigation', { name: 'Sections de la console' }).getByRole('link', { name: 'Bornes', exact: true }).click();
    await page.getByRole('button', { name: 'Nouvelle borne' }).click();
    const kiosk = page.getByRole('dialog', { name: 'Nouvelle borne' });
    await kiosk.getByLabel('Nom', { exact: true }).fill('Hall');
    await kiosk.getByRole('checkbox').first().check();
    await kiosk.getByLabel('Imprimante de tickets').selectOption({ label: 'Borne hall' });
    await kiosk.getByRole('button', { name: 'Créer' }).click();
    await page.locator('tbody tr', { hasText: 'Hall' }).waitFor();
    const kiosks = (await t.api('GET', `${base()}/kiosks/`, { token: d.adminToken })).body.results;
    const printers = (await t.api('GET', `${base()}/printers/`, { token: d.adminToken })).body.results;
    expect(kiosks[0].printer_id).toBe(printers[0].id);
  });

  it('uploads a PNG logo, shows it as printed, and prints it at the head of the next ticket', async () => {
    await page.getByRole('navigation', { name: 'Sections de la console' }).getByRole('link', { name: 'Imprimantes', exact: true }).click();
    const file = join(tmpdir(), `sq-logo-${Date.now()}.png`);
    writeFileSync(file, encodePng({ width: 80, height: 40, colour: 2, depth: 8, pixel: (x, y) => (x > 10 && x < 70 && y > 10 && y < 30 ? [20, 40, 120] : [255, 255, 255]) }));
    await page.locator('input[type="file"]').setInputFiles(file);
    const logo = page.getByTestId('ticket-logo');
    await logo.waitFor();
    expect(await logo.getAttribute('alt')).toBe('Logo des tickets tel qu’imprimé (59 × 19 points)');
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'manager-printers-fr');

    fake.clear();
    const kiosk = (await t.api('GET', `${base()}/kiosks/`, { token: d.adminToken })).body.results[0];
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.id });
    const ticket = (await t.api('POST', `${base()}/tickets/`, { device: device.key, body: { queue: kiosk.queue_ids[0] } })).body;
    const bytes = await fake.waitFor(complete(ticket.number));
    const tokens = tokenize(bytes);
    expect(tokens.find((tk) => tk.type === 'raster')).toMatchObject({ widthBytes: 8, height: 19 });
  });

  it('tells the board when the printer runs out of paper, and the printers page shows it, until it recovers', async () => {
    await page.getByRole('navigation', { name: 'Sections de la console' }).getByRole('link', { name: 'Tableau en direct', exact: true }).click();
    await page.locator('.mg-live.is-live').waitFor({ timeout: 10_000 });
    fake.setState('paper-out');
    const kiosk = (await t.api('GET', `${base()}/kiosks/`, { token: d.adminToken })).body.results[0];
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.id });
    const ticket = (await t.api('POST', `${base()}/tickets/`, { device: device.key, body: { queue: kiosk.queue_ids[0] } })).body;
    const alert = page.getByTestId('board-printer-alert');
    await expect.poll(() => alert.getAttribute('data-condition'), { timeout: 8_000 }).toBe('paper-out');
    expect(await alert.textContent()).toContain('Imprimante « Borne hall » : Plus de papier.');
    expect(await alert.textContent()).toContain(`Le ticket ${ticket.number} est affiché sur l’écran de la borne.`);
    await screenshot(page, 'manager-board-printer-alert-fr');

    await alert.getByRole('link', { name: 'Imprimantes' }).click();
    await page.getByTestId('printer-trouble').waitFor({ timeout: 8_000 });
    expect(await page.locator('tbody tr', { hasText: 'Borne hall' }).getByTestId('printer-state').getAttribute('data-state')).toBe('paper-out');

    fake.setState('ok');
    await fake.waitFor(complete(ticket.number), 8_000);
    await expect.poll(() => page.getByTestId('printer-trouble').count(), { timeout: 10_000 }).toBe(0);
  });

  it('declares a call button on a print agent, naming the agent it calls for', async () => {
    const agentDevice = await pairNewDevice(t, d, { type: 'print_agent', name: 'PC guichet 2' });
    await page.getByRole('navigation', { name: 'Sections de la console' }).getByRole('link', { name: 'Appareils', exact: true }).click();
    await page.getByRole('button', { name: 'Scanners et boutons de « PC guichet 2 »' }).click();
    const list = page.getByRole('dialog', { name: 'Scanners et boutons — PC guichet 2' });
    await list.getByText('Aucun scanner ni bouton.').waitFor();
    await list.getByRole('button', { name: 'Ajouter un scanner ou un bouton' }).click();
    const form = page.getByRole('dialog', { name: 'Ajouter un scanner ou un bouton' });
    await form.getByLabel('Nom', { exact: true }).fill('Bouton guichet 2');
    await form.getByLabel('Type', { exact: true }).selectOption({ label: 'Bouton d’appel' });
    await form.getByLabel('Périphérique').fill('/dev/hidraw4');
    await form.getByRole('button', { name: 'Créer' }).click();
    await form.getByText('required for a button').waitFor();
    await form.getByLabel('Appelle le suivant pour').selectOption({ index: 2 });
    await form.getByRole('button', { name: 'Créer' }).click();
    const row = page.getByRole('dialog', { name: 'Scanners et boutons — PC guichet 2' }).locator('tbody tr', { hasText: 'Bouton guichet 2' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Pas encore ouvert');
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    const inputs = (await t.api('GET', `${base()}/devices/${agentDevice.id}/inputs/`, { token: d.adminToken })).body;
    expect(inputs).toMatchObject([{ name: 'Bouton guichet 2', kind: 'button', source: 'hid', path: '/dev/hidraw4' }]);
    expect(inputs[0].agent_id).not.toBeNull();
    await page.keyboard.press('Escape');
  });

  it('lets a manager watch printer health but not change printers, in Arabic, right to left, accessibly', async () => {
    const manager = await t.api('POST', `${base()}/members/`, {
      token: d.adminToken, body: { email: 'resp@demo.example', password: 'manager-password-1', first_name: 'Aïda', last_name: 'Ba', role: 'manager' },
    });
    expect(manager.status).toBe(201);
    const { context: ctx2, page: p2 } = await newPage(browser, 'desk');
    try {
      await p2.addInitScript(() => localStorage.setItem('smartqueue.lang', 'ar'));
      await signIn(p2, t.url, 'resp@demo.example', 'manager-password-1', '#/printers');
      const row = p2.locator('tbody tr', { hasText: 'Borne hall' });
      await row.waitFor();
      expect(await p2.evaluate(() => document.documentElement.dir)).toBe('rtl');
      expect(await row.getByRole('button', { name: /تعديل/ }).count()).toBe(0);
      expect(await p2.getByRole('button', { name: 'طابعة جديدة' }).count()).toBe(0);
      const violations = await axeScan(p2);
      expect(violations, describeViolations(violations)).toEqual([]);
      await screenshot(p2, 'manager-printers-ar');
    } finally {
      await ctx2.close();
    }
  });
});
