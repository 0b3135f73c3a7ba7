import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { checkScreen, createKiosk, LANGUAGE_NAMES, onScreen, openKiosk, tapKeys } from './kiosk-helpers.ts';

describe('kiosk pairing and exit-tablet screens: accessibility (WCAG 2.1 AA) and screenshots, portrait 1080×1920', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let kioskId: string;

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

  it.each(['fr', 'en', 'ar'] as const)('has no axe violations on the pairing and feedback screens in %s', { timeout: 60_000 }, async (lang) => {
    const unpaired = await newPage(browser, 'kiosk');
    await unpaired.page.goto(`${t.url}/kiosk`);
    await onScreen(unpaired.page, 'pairing');
    await unpaired.page.getByRole('button', { name: LANGUAGE_NAMES[lang], exact: true }).click();
    await tapKeys(unpaired.page, 'ABCD');
    await checkScreen(unpaired.page, `kiosk-pairing-${lang}`);
    await unpaired.context.close();

    const { context, page } = await openKiosk(browser, t, d, kioskId, { query: '?mode=feedback' });
    await onScreen(page, 'feedback');
    await page.getByRole('button', { name: LANGUAGE_NAMES[lang], exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(lang);
    await page.locator('.kiosk-scale--csat .kiosk-scale__btn').nth(4).click();
    await page.locator('.kiosk-scale--nps .kiosk-scale__btn').nth(8).click();
    await checkScreen(page, `kiosk-feedback-${lang}`);
    await page.locator('.kiosk-feedback > button').click();
    await onScreen(page, 'thanks');
    await checkScreen(page, `kiosk-thanks-${lang}`);
    await context.close();
  });
});
