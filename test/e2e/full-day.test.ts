import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { branch, listenForAnnouncements, openDisplay } from './display-fixtures.ts';
import { createKiosk, onScreen, openKiosk } from './kiosk-helpers.ts';

/**
 * A day at the branch in miniature, every screen in one real browser against one real server:
 * a customer takes a ticket at the kiosk, the waiting-room TV shows the call and asks for its
 * announcement, the agent calls and serves from the desk, and the customer leaves feedback on the
 * phone page.
 */
describe('a full day in miniature', { timeout: 120_000 }, () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('takes a ticket at the kiosk, calls it on the TV within a second, serves it at the desk, and collects feedback', async () => {
    const queueA = d.demo.queues[0]!;
    // Set-up an admin does once: a kiosk and a main display, both paired.
    const kioskId = await createKiosk(t, d);
    const display = await branch(t, d).provisionedDisplay({ name: 'Salle d’attente', queue_ids: d.demo.queues.map((q) => q.id), languages: ['fr', 'ar'] });

    // The TV is on.
    const tv = await newPage(browser, 'tv');
    const heard = listenForAnnouncements(tv.page);
    await openDisplay(tv.page, display.link);

    // A customer takes a ticket for "Ouverture de compte".
    const kiosk = await openKiosk(browser, t, d, kioskId);
    await onScreen(kiosk.page, 'welcome');
    await kiosk.page.getByRole('button', { name: 'Prendre un ticket' }).click();
    await onScreen(kiosk.page, 'services');
    await kiosk.page.getByRole('button', { name: /Ouverture de compte/ }).click();
    await onScreen(kiosk.page, 'phone');
    await kiosk.page.getByRole('button', { name: 'Continuer sans SMS' }).click();
    await onScreen(kiosk.page, 'ticket');
    const number = await kiosk.page.getByTestId('ticket-number').textContent();
    const trackingUrl = (await kiosk.page.locator('.kiosk-ticket__qr img').getAttribute('data-qr-text'))!;
    expect(number).toBe(`${queueA.prefix}001`);
    await screenshot(kiosk.page, 'day-1-kiosk-ticket');

    // The customer follows the ticket on their phone.
    const phone = await newPage(browser, 'phone');
    await phone.page.goto(trackingUrl);
    await expect.poll(() => phone.page.locator('.track__number').textContent()).toBe(number);

    // The agent opens the counter and calls next.
    const desk = await newPage(browser, 'desk');
    await desk.page.goto(`${t.url}/agent`);
    await desk.page.getByLabel('Adresse e-mail').fill(d.demo.agents[0]!.email);
    await desk.page.getByLabel('Mot de passe').fill(d.demo.agents[0]!.password);
    await desk.page.getByRole('button', { name: 'Se connecter' }).click();
    await desk.page.getByRole('button', { name: 'Ouvrir le guichet' }).click();
    await expect.poll(() => desk.page.getByTestId('waiting-list').locator(`tr[data-number="${number}"]`).count()).toBe(1);
    await desk.page.locator('[data-action="callNext"]').click();
    await desk.page.getByTestId('current-number').filter({ hasText: number! }).waitFor();
    const calledAt = Date.now();

    // The TV shows it within a second of the desk seeing it, and asks for the spoken announcement.
    await tv.page.locator(`[data-testid="now-calling"][data-ticket="${number}"]`).waitFor({ timeout: 5_000 });
    const onTvAfter = Date.now() - calledAt;
    expect(onTvAfter, `the display took ${onTvAfter} ms`).toBeLessThanOrEqual(1_000);
    await expect.poll(() => heard.find((h) => h.status !== undefined)?.status, { timeout: 5_000 }).toBe(200);
    expect(heard[0]!.type).toBe('audio/wav');
    await screenshot(tv.page, 'day-2-display-calling');

    // The desk confirms a screen showed and announced the call.
    await expect.poll(() => desk.page.getByTestId('call-seen').getAttribute('data-state'), { timeout: 20_000 }).toBe('shown');
    expect(await desk.page.getByTestId('call-seen').textContent()).toContain('Salle d’attente');

    // The phone says it is the customer's turn, at which counter.
    await expect.poll(() => phone.page.getByRole('alert').textContent(), { timeout: 5_000 }).toContain('Guichet 1');
    await screenshot(phone.page, 'day-3-phone-your-turn');
    await screenshot(desk.page, 'day-4-desk-called');

    // Service, then close.
    await desk.page.locator('[data-action="start"]').click();
    await expect.poll(() => desk.page.locator('[data-action="close"]').isEnabled()).toBe(true);
    await desk.page.locator('[data-action="close"]').click();
    await expect.poll(() => desk.page.getByTestId('current-number').count()).toBe(0);

    // The phone page turns into the feedback form; the answer is stored once, against this ticket.
    await phone.page.getByRole('heading', { name: 'Comment s’est passée votre visite ?' }).waitFor({ timeout: 5_000 });
    await phone.page.getByRole('button', { name: '5', exact: true }).first().click();
    await phone.page.locator('.track__scale--nps').getByRole('button', { name: '10', exact: true }).click();
    await phone.page.getByRole('button', { name: 'Envoyer' }).click();
    await phone.page.getByText('Merci pour votre avis !').waitFor();
    await screenshot(phone.page, 'day-5-phone-feedback');

    const publicId = new URL(trackingUrl).pathname.split('/').pop()!;
    const rows = t.server.deps.db.raw<{ status: string; channel: string; csat: number; nps: number }>(
      `SELECT t.status, t.channel, f.csat, f.nps FROM ticket t JOIN feedback f ON f.ticket_id = t.id WHERE t.public_id = ?`, publicId,
    );
    expect(rows).toEqual([{ status: 'clos', channel: 'kiosk', csat: 5, nps: 10 }]);

    for (const page of [tv, kiosk, phone, desk]) await page.context.close();
  });
});
