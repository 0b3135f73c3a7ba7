import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { createKiosk, onScreen, openKiosk, tapKeys } from './kiosk-helpers.ts';

// Monday 4 March 2030, 09:05 in Dakar (UTC all year), moving on in real time: 10:00 is a bookable slot of today.
const START = Date.parse('2030-03-04T09:05:00Z');

describe('kiosk appointment check-in and exit-tablet feedback', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let kioskId: string;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const book = async (startsAt: string, name: string) => {
    const res = await t.api('POST', `${base()}/tickets/appointments/`, {
      token: d.adminToken, body: { service: d.demo.services[2]!.id, starts_at: startsAt, customer_name: name, customer_phone: '+221770000009' },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; check_in_code: string };
  };
  const ticketOf = (appointmentId: string) => t.server.deps.db.raw<{ id: string; number: string; channel: string }>(
    'SELECT t.id, t.number, t.channel FROM ticket t JOIN appointment a ON a.ticket_id = t.id WHERE a.id = ?', appointmentId)[0];

  beforeAll(async () => {
    const origin = Date.now();
    t = await startTestServer({ now: () => START + (Date.now() - origin) });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    kioskId = await createKiosk(t, d);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('checks an appointment in with the code typed on the keypad, and shows the ticket it became', async () => {
    const appointment = await book('2030-03-04T10:00:00Z', 'Awa Diop');
    const { context, page } = await openKiosk(browser, t, d, kioskId);
    await page.getByRole('button', { name: 'J’ai un rendez-vous' }).click();
    await onScreen(page, 'appointment');
    await tapKeys(page, appointment.check_in_code);
    await screenshot(page, 'kiosk-appointment-fr');
    await page.getByRole('button', { name: 'Valider mon arrivée' }).click();

    await onScreen(page, 'ticket');
    expect(await page.locator('h1').textContent()).toBe('Votre arrivée est enregistrée');
    const ticket = ticketOf(appointment.id);
    expect(ticket).toMatchObject({ channel: 'kiosk' });
    expect(await page.getByTestId('ticket-number').textContent()).toBe(ticket!.number);
    expect(await page.locator('[data-ticket-id]').getAttribute('data-ticket-id')).toBe(ticket!.id);
    await screenshot(page, 'kiosk-checked-in-fr');

    // The same code a second time: a clear message, no second ticket.
    await page.getByRole('button', { name: 'Terminer' }).click();
    await page.getByRole('button', { name: 'J’ai un rendez-vous' }).click();
    await tapKeys(page, appointment.check_in_code);
    await page.getByRole('button', { name: 'Valider mon arrivée' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('ne peut pas être enregistré maintenant');
    await page.getByRole('button', { name: 'Effacer le dernier caractère' }).click();
    await tapKeys(page, appointment.check_in_code.endsWith('Z') ? 'Y' : 'Z');
    await page.getByRole('button', { name: 'Valider mon arrivée' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Ce code est inconnu');
    await context.close();
  });

  it('checks in at once when a keyboard-wedge scanner reads the confirmation QR on the welcome screen', async () => {
    const appointment = await book('2030-03-04T10:15:00Z', 'Moussa Ndiaye');
    const { context, page } = await openKiosk(browser, t, d, kioskId);
    await onScreen(page, 'welcome');
    // The scanner types what it reads (here a link ending with the code), then Enter.
    await page.keyboard.type(`https://rdv.example/a/${appointment.check_in_code.toLowerCase()}`);
    await page.keyboard.press('Enter');
    await onScreen(page, 'ticket');
    expect(await page.getByTestId('ticket-number').textContent()).toBe(ticketOf(appointment.id)!.number);
    await context.close();
  });

  it('stores CSAT and NPS from the exit tablet as kiosk feedback, thanks the customer, then resets for the next one', async () => {
    const { context, page } = await openKiosk(browser, t, d, kioskId, { query: '?mode=feedback&idle=2' });
    await onScreen(page, 'feedback');
    await page.locator('.kiosk-scale--csat').getByRole('button', { name: '4', exact: true }).click();
    await page.locator('.kiosk-scale--nps').getByRole('button', { name: '9', exact: true }).click();
    await screenshot(page, 'kiosk-feedback-fr');
    await page.getByRole('button', { name: 'Envoyer mon avis' }).click();
    await onScreen(page, 'thanks');
    await screenshot(page, 'kiosk-thanks-fr');

    const stored = t.server.deps.db.raw<{ csat: number; nps: number; nps_category: string; channel: string; ticket_id: string | null }>(
      'SELECT csat, nps, nps_category, channel, ticket_id FROM feedback');
    expect(stored).toEqual([{ csat: 4, nps: 9, nps_category: 'promoter', channel: 'kiosk', ticket_id: null }]);

    await onScreen(page, 'feedback');
    expect(await page.locator('[aria-pressed="true"].kiosk-scale__btn').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Envoyer mon avis' }).isDisabled()).toBe(true);
    await context.close();
  });
});
