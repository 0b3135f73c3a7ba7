import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrDataUrl } from '../../renderer/kiosk/qr.ts';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { createKiosk, onScreen, openKiosk, tapKeys, waitingTileCount } from './kiosk-helpers.ts';

type TicketRow = { id: string; number: string; channel: string; public_id: string; customer_phone: string; queue_id: string };

describe('kiosk /kiosk', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let kioskId: string;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const ticketById = (id: string) => t.server.deps.db.raw<TicketRow>('SELECT id, number, channel, public_id, customer_phone, queue_id FROM ticket WHERE id = ?', id)[0];

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    kioskId = await createKiosk(t, d);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('pairs with the code shown in the console, then issues a kiosk ticket whose number, people ahead and QR match the server', async () => {
    const queueB = d.demo.queues[1]!;
    for (let i = 0; i < 2; i += 1) await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queueB.id } });
    const created = await t.api('POST', `${base()}/devices/`, { token: d.adminToken, body: { type: 'kiosk', name: 'Borne 1', kiosk_id: kioskId } });
    expect(created.status).toBe(201);

    const { context, page } = await newPage(browser, 'kiosk');
    await page.goto(`${t.url}/kiosk`);
    await onScreen(page, 'pairing');
    await screenshot(page, 'kiosk-pairing-fr');
    await tapKeys(page, (created.body.pairing_code as string).replace('-', ''));
    await page.getByRole('button', { name: 'Appairer' }).click();

    await onScreen(page, 'welcome');
    await expect.poll(() => page.locator('.kiosk__site').textContent()).toBe('Agence Dakar Plateau');
    await screenshot(page, 'kiosk-welcome-fr');
    await page.getByRole('button', { name: 'Prendre un ticket' }).click();
    await onScreen(page, 'services');
    await expect.poll(() => waitingTileCount(page, queueB.id)).toBe('2');
    await screenshot(page, 'kiosk-services-fr');
    await page.getByRole('button', { name: /Retrait/ }).click();
    await onScreen(page, 'phone');
    await screenshot(page, 'kiosk-phone-fr');
    await page.getByRole('button', { name: 'Continuer sans SMS' }).click();

    await onScreen(page, 'ticket');
    const shown = await page.getByTestId('ticket-number').textContent();
    const ticket = ticketById((await page.locator('[data-ticket-id]').getAttribute('data-ticket-id'))!)!;
    expect(ticket).toMatchObject({ number: shown, channel: 'kiosk', queue_id: queueB.id, customer_phone: '' });
    expect(shown).toBe('B003');
    expect(await page.getByTestId('people-ahead').textContent()).toBe('2');
    expect(await page.locator('.kiosk-ticket__service').textContent()).toBe('Retrait');
    // This kiosk has no printer: the screen is the whole ticket, nothing claims to be printing.
    expect(await page.locator('.kiosk-notes__printing').count()).toBe(0);

    // The QR is the tracking page of this very ticket: the same URL rendered by the same encoder.
    const qr = page.locator('.kiosk-ticket__qr img');
    const url = await qr.getAttribute('data-qr-text');
    expect(url).toBe(`${t.url}/t/${ticket.public_id}`);
    expect(await qr.getAttribute('src')).toBe(await qrDataUrl(url!));
    expect(await qr.getAttribute('alt')).toBe('QR code du suivi de votre ticket');
    await screenshot(page, 'kiosk-ticket-fr');

    // The paired device's key is kept: a reload stays paired.
    await page.reload();
    await onScreen(page, 'welcome');
    await context.close();
  });

  it('refuses an unknown pairing code with a clear message', async () => {
    const { context, page } = await newPage(browser, 'kiosk');
    await page.goto(`${t.url}/kiosk`);
    await onScreen(page, 'pairing');
    await tapKeys(page, 'ABCD2345');
    await page.getByRole('button', { name: 'Appairer' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Code inconnu');
    await onScreen(page, 'pairing');
    await context.close();
  });

  it('switches to Arabic right-to-left and to English, and the next customer starts in French', async () => {
    const { context, page } = await openKiosk(browser, t, d, kioskId);
    await onScreen(page, 'welcome');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    await page.getByRole('button', { name: 'العربية' }).click();
    await expect.poll(() => page.evaluate(() => [document.documentElement.dir, document.documentElement.lang].join())).toBe('rtl,ar');
    await expect.poll(() => page.locator('h1').textContent()).toBe('مرحبًا بكم');
    await screenshot(page, 'kiosk-welcome-ar');
    await page.getByRole('button', { name: 'خذ تذكرة' }).click();
    await onScreen(page, 'services');
    expect(await page.locator('h1').textContent()).toBe('اختر خدمة');
    await screenshot(page, 'kiosk-services-ar');

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    expect(await page.locator('h1').textContent()).toBe('Choose a service');
    await page.getByRole('button', { name: /Conseil/ }).click();
    await page.getByRole('button', { name: 'Continue without SMS' }).click();
    await onScreen(page, 'ticket');
    expect(await page.locator('h1').textContent()).toBe('Your ticket');
    await screenshot(page, 'kiosk-ticket-en');
    await page.getByRole('button', { name: 'Done' }).click();
    await onScreen(page, 'welcome');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bienvenue');
    await context.close();
  });

  it('passes the phone number typed on the keypad to the ticket for the SMS alert', async () => {
    const { context, page } = await openKiosk(browser, t, d, kioskId);
    await page.getByRole('button', { name: 'Prendre un ticket' }).click();
    await page.getByRole('button', { name: /Ouverture de compte/ }).click();
    await onScreen(page, 'phone');
    const confirm = page.getByRole('button', { name: 'Prendre mon ticket' });
    expect(await confirm.isDisabled()).toBe(true);
    await tapKeys(page, '+22177');
    await confirm.click();
    await expect.poll(() => page.locator('.kiosk-field-error').textContent()).toBe('Ce numéro semble incomplet.');
    await onScreen(page, 'phone');
    await tapKeys(page, '12345679');
    await page.getByRole('button', { name: 'Effacer le dernier chiffre' }).click();
    await tapKeys(page, '8');
    expect(await page.getByLabel('Votre numéro de téléphone').inputValue()).toBe('+2217712345678');
    await confirm.click();
    await onScreen(page, 'ticket');
    const ticket = ticketById((await page.locator('[data-ticket-id]').getAttribute('data-ticket-id'))!)!;
    expect(ticket).toMatchObject({ channel: 'kiosk', customer_phone: '+2217712345678' });
    expect(await page.locator('.kiosk-notes').textContent()).toContain('se terminant par 5678');
    await context.close();
  });

  it('goes back to the welcome screen in French after the idle time, from any screen', async () => {
    const { context, page } = await openKiosk(browser, t, d, kioskId, { query: '?idle=1' });
    await onScreen(page, 'welcome');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Take a ticket' }).click();
    await onScreen(page, 'services');
    await page.getByRole('button', { name: /Retrait/ }).click();
    await onScreen(page, 'phone');
    const left = Date.now();
    await onScreen(page, 'welcome');
    expect(Date.now() - left).toBeLessThan(3000);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bienvenue');

    await page.getByRole('button', { name: 'Prendre un ticket' }).click();
    await page.getByRole('button', { name: /Retrait/ }).click();
    await page.getByRole('button', { name: 'Continuer sans SMS' }).click();
    await onScreen(page, 'ticket');
    await onScreen(page, 'welcome');
    await context.close();
  });

  it('tells the customer when a service closed meanwhile, and when the server is unreachable, with a retry', async () => {
    const queueC = d.demo.queues[2]!;
    const { context, page } = await openKiosk(browser, t, d, kioskId);
    await page.getByRole('button', { name: 'Prendre un ticket' }).click();
    await onScreen(page, 'services');
    await t.api('POST', `${base()}/queues/${queueC.id}/set_status/`, { token: d.adminToken, body: { status: 'closed' } });
    await page.getByRole('button', { name: /Conseil/ }).click();
    await page.getByRole('button', { name: 'Continuer sans SMS' }).click();
    await onScreen(page, 'services');
    await expect.poll(() => page.locator('.sq-banner--warn').textContent()).toContain('Ce service est fermé pour le moment');
    await expect.poll(() => page.locator(`[data-queue="${queueC.id}"]`).isDisabled()).toBe(true);
    await t.api('POST', `${base()}/queues/${queueC.id}/set_status/`, { token: d.adminToken, body: { status: 'open' } });

    // The branch server stops answering: a friendly message, and the retry works once it is back.
    await page.getByRole('button', { name: /Retrait/ }).click();
    await onScreen(page, 'phone');
    await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Continuer sans SMS' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Service momentanément indisponible');
    await screenshot(page, 'kiosk-unavailable-fr');
    await page.unroute('**/api/v1/**');
    await page.getByRole('button', { name: 'Réessayer' }).click();
    await onScreen(page, 'ticket');
    await context.close();
  });

  it('goes back to the pairing screen as soon as its key is revoked', async () => {
    const { context, page, device } = await openKiosk(browser, t, d, kioskId);
    await onScreen(page, 'welcome');
    const revoked = await t.api('DELETE', `${base()}/devices/${device.id}/`, { token: d.adminToken });
    expect(revoked.status).toBe(204);
    await page.getByRole('button', { name: 'Prendre un ticket' }).click();
    await onScreen(page, 'pairing');
    await expect.poll(() => page.locator('.sq-banner--warn').textContent()).toContain('n’est plus autorisée');
    expect(await page.evaluate(() => localStorage.getItem('smartqueue.device'))).toBeNull();
    await context.close();
  });
});
