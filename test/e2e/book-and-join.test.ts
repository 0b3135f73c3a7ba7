import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { createKiosk, onScreen, openKiosk } from './kiosk-helpers.ts';

// Monday 4 March 2030, 09:05 in Dakar (UTC all year), moving on in real time: 10:00 is a bookable slot of today.
const START = Date.parse('2030-03-04T09:05:00Z');

describe('public booking page and remote join, then the kiosk and the counter', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let kiosk: Awaited<ReturnType<typeof openKiosk>>;
  const bookUrl = () => `${t.url}/book/${d.demo.siteId}`;
  const ticketRow = (id: string) => t.server.deps.db.raw<{ id: string; number: string; remote: number; status: string }>(
    'SELECT id, number, remote, status FROM ticket WHERE id = ?', id)[0];

  beforeAll(async () => {
    const origin = Date.now();
    t = await startTestServer({ now: () => START + (Date.now() - origin) });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    // One kiosk at the entrance for both journeys.
    kiosk = await openKiosk(browser, t, d, await createKiosk(t, d));
  });
  afterAll(async () => {
    await kiosk?.context.close();
    await browser?.close();
    await t?.close();
  });

  it('books an appointment on the phone, and the kiosk checks it in from the confirmation QR code', async () => {
    const service = d.demo.services[1]!;
    const phone = await newPage(browser, 'phone');
    await phone.page.goto(bookUrl());
    await phone.page.locator(`[data-service="${service.id}"]`).getByRole('button', { name: 'Prendre rendez-vous' }).click();
    await phone.page.getByLabel('Date').fill('2030-03-04');
    await phone.page.getByRole('button', { name: '10:00', exact: true }).click();
    await phone.page.getByLabel('Votre nom').fill('Awa Diop');
    await phone.page.getByLabel('Votre numéro de téléphone').fill('+221 77 000 00 07');
    await phone.page.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await phone.page.getByTestId('booked').waitFor();
    await screenshot(phone.page, 'book-confirmed-fr');
    const code = (await phone.page.getByTestId('check-in-code').textContent())!;
    const qr = phone.page.getByRole('img', { name: `QR code d’arrivée ${code}` });
    const scanned = (await qr.getAttribute('data-qr-text'))!;
    const appointment = t.server.deps.db.raw<{ id: string; starts_at: number; status: string; customer_phone: string }>(
      'SELECT id, starts_at, status, customer_phone FROM appointment WHERE check_in_code = ?', code)[0];
    expect(appointment).toMatchObject({ starts_at: Date.parse('2030-03-04T10:00:00Z'), status: 'scheduled', customer_phone: '+221 77 000 00 07' });

    // At the branch: the kiosk's scanner reads the QR on the phone's screen (it types what it reads, then Enter).
    const { page } = kiosk;
    await onScreen(page, 'welcome');
    await page.keyboard.type(scanned);
    await page.keyboard.press('Enter');
    await onScreen(page, 'ticket');
    const ticketId = t.server.deps.db.raw<{ ticket_id: string }>('SELECT ticket_id FROM appointment WHERE id = ?', appointment!.id)[0]!.ticket_id;
    expect(await page.getByTestId('ticket-number').textContent()).toBe(ticketRow(ticketId)!.number);
    await page.getByRole('button', { name: 'Terminer' }).click();
    await phone.context.close();
  });

  it('joins a queue from the phone, checks in at the kiosk by QR, is called, and the tracking page follows along', async () => {
    const service = d.demo.services[2]!;
    const phone = await newPage(browser, 'phone');
    await phone.page.goto(bookUrl());
    const card = phone.page.locator(`[data-service="${service.id}"]`);
    expect(await card.textContent()).toContain('0 personne(s) en attente');
    await card.getByRole('button', { name: 'Rejoindre la file' }).click();
    await phone.page.getByLabel('Votre numéro de téléphone').fill('+221 77 123 45 67');
    await phone.page.getByRole('button', { name: 'Prendre mon ticket' }).click();
    await phone.page.getByTestId('joined').waitFor();
    await screenshot(phone.page, 'book-joined-fr');
    const number = (await phone.page.getByTestId('ticket-number').textContent())!;
    const code = (await phone.page.getByTestId('check-in-code').textContent())!;
    const scanned = (await phone.page.getByRole('img', { name: `QR code d’arrivée ${code}` }).getAttribute('data-qr-text'))!;
    const ticket = t.server.deps.db.raw<{ id: string }>('SELECT id FROM ticket WHERE number = ? AND remote = 1', number)[0]!;

    // The tracking page says to check in on arrival; an agent free now does not call an absent customer.
    await phone.page.getByRole('link', { name: 'Suivre mon ticket' }).click();
    await phone.page.getByTestId('remote-hint').waitFor();
    const agent = d.agentTokens[2]!; // agent 3 serves queue C only
    const early = await t.api('POST', `/api/v1/tenants/${d.slug}/agents/call-next/`, { token: agent, body: {} });
    expect(early.body.code).toBe('no-ticket-waiting');

    const { page } = kiosk;
    await onScreen(page, 'welcome');
    await page.keyboard.type(scanned);
    await page.keyboard.press('Enter');
    await onScreen(page, 'ticket');
    expect(await page.getByTestId('ticket-number').textContent()).toBe(number);
    expect(ticketRow(ticket.id)).toMatchObject({ remote: 0, status: 'en_attente' });

    const called = await t.api('POST', `/api/v1/tenants/${d.slug}/agents/call-next/`, { token: agent, body: {} });
    expect(called.body).toMatchObject({ id: ticket.id, status: 'appele' });
    await phone.page.getByText('C’est votre tour !').waitFor();
    await screenshot(phone.page, 'track-remote-called-fr');
    await phone.context.close();
  });
});
