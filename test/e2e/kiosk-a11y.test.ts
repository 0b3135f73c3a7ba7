import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { checkScreen, createKiosk, LANGUAGE_NAMES, onScreen, openKiosk, tapKeys } from './kiosk-helpers.ts';

const API = '**/api/v1/**';

describe('kiosk accessibility (WCAG 2.1 AA) and screenshots of every screen, portrait 1080×1920', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let kioskId: string;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    const printer = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, {
      token: d.adminToken, body: { name: 'Imprimante borne', transport: 'network', host: '127.0.0.1', port: 9 },
    });
    expect(printer.status).toBe(201);
    kioskId = await createKiosk(t, d, { printer_id: printer.body.id });
    // People already waiting, so tiles and tickets show real counts and ETAs.
    for (const queue of d.demo.queues) await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: queue.id } });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(['fr', 'en', 'ar'] as const)('has no axe violations on any customer screen in %s', { timeout: 60_000 }, async (lang) => {
    const { context, page } = await openKiosk(browser, t, d, kioskId);
    const chooseLanguage = async () => {
      await page.getByRole('button', { name: LANGUAGE_NAMES[lang], exact: true }).click();
      await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(lang);
    };
    await onScreen(page, 'welcome');
    await chooseLanguage();
    await page.locator('.kiosk-cta').first().waitFor();
    await checkScreen(page, `kiosk-welcome-${lang}`);

    await page.locator('.kiosk-cta').first().click();
    await onScreen(page, 'services');
    await page.locator('.kiosk-tile').first().waitFor();
    await checkScreen(page, `kiosk-services-${lang}`);

    await page.locator('.kiosk-tile').first().click();
    await onScreen(page, 'phone');
    await tapKeys(page, '77123');
    await page.locator('.kiosk-phone__actions button[type="submit"]').click();
    await checkScreen(page, `kiosk-phone-${lang}`);

    // The server does not answer: the error and its retry are accessible too.
    await page.route(API, (route) => route.abort('connectionrefused'));
    await page.locator('.kiosk-phone__actions .sq-btn--secondary').click();
    await page.locator('.kiosk-error').waitFor();
    await checkScreen(page, `kiosk-phone-error-${lang}`);
    await page.unroute(API);
    await page.locator('.kiosk-error button').click();

    await onScreen(page, 'ticket');
    await page.locator('.kiosk-ticket__qr img').waitFor();
    // The kiosk has a printer: the customer is told the paper ticket is coming.
    expect(await page.locator('.kiosk-notes__printing').count()).toBe(1);
    await checkScreen(page, `kiosk-ticket-${lang}`);

    await page.route(API, (route) => route.abort('connectionrefused'));
    await page.locator('.kiosk-ticket__done button').click();
    await onScreen(page, 'welcome');
    await chooseLanguage();
    await page.locator('.kiosk-unavailable').waitFor();
    await checkScreen(page, `kiosk-unavailable-${lang}`);
    await page.unroute(API);
    await page.locator('.kiosk-unavailable button').click();

    await page.locator('.kiosk-cta--secondary').click();
    await onScreen(page, 'appointment');
    await tapKeys(page, 'K7');
    await checkScreen(page, `kiosk-appointment-${lang}`);
    await context.close();
  });
});
