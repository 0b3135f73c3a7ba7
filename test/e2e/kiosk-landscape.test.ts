import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { checkScreen, createKiosk, LANGUAGE_NAMES, onScreen, openKiosk, tapKeys } from './kiosk-helpers.ts';

/** On a 1920×1080 touchscreen every kiosk screen fits without scrolling: nothing to find below the fold. */
async function fitsLandscape(page: Page, name: string): Promise<void> {
  await checkScreen(page, name);
  expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight), `${name} scrolls`).toBe(true);
}

describe('kiosk on a landscape 1920×1080 touchscreen', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let kioskId: string;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    kioskId = await createKiosk(t, d);
    for (const queue of d.demo.queues) await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: queue.id } });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(['fr', 'ar'] as const)('lays every screen out side by side without scrolling in %s', { timeout: 60_000 }, async (lang) => {
    const { context, page } = await openKiosk(browser, t, d, kioskId, { viewport: 'tv' });
    await onScreen(page, 'welcome');
    await page.getByRole('button', { name: LANGUAGE_NAMES[lang], exact: true }).click();
    await page.locator('.kiosk-cta').first().waitFor();
    await fitsLandscape(page, `kiosk-landscape-welcome-${lang}`);
    await page.locator('.kiosk-cta').first().click();
    await page.locator('.kiosk-tile').first().waitFor();
    await fitsLandscape(page, `kiosk-landscape-services-${lang}`);
    await page.locator('.kiosk-tile').first().click();
    await onScreen(page, 'phone');
    await tapKeys(page, '771234567');
    await fitsLandscape(page, `kiosk-landscape-phone-${lang}`);
    await page.locator('.kiosk-phone__actions button[type="submit"]').click();
    await page.locator('.kiosk-ticket__qr img').waitFor();
    await fitsLandscape(page, `kiosk-landscape-ticket-${lang}`);
    await page.locator('.kiosk-ticket__done button').click();
    await page.getByRole('button', { name: LANGUAGE_NAMES[lang], exact: true }).click();
    await page.locator('.kiosk-cta--secondary').click();
    await onScreen(page, 'appointment');
    await fitsLandscape(page, `kiosk-landscape-appointment-${lang}`);
    await context.close();

    const tablet = await openKiosk(browser, t, d, kioskId, { viewport: 'tv', query: '?mode=feedback' });
    await onScreen(tablet.page, 'feedback');
    await tablet.page.getByRole('button', { name: LANGUAGE_NAMES[lang], exact: true }).click();
    await fitsLandscape(tablet.page, `kiosk-landscape-feedback-${lang}`);
    await tablet.context.close();
  });
});
