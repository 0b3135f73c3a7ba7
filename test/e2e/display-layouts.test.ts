import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { branch, openDisplay } from './display-fixtures.ts';

/** The screen's language comes from the display's configuration: the first one leads, the others follow in smaller type. */
const LANGUAGES = { fr: ['fr', 'ar'], en: ['en'], ar: ['ar', 'fr'] } as const;
type Lang = keyof typeof LANGUAGES;
const HEADINGS = { fr: 'Appel en cours', en: 'Now calling', ar: 'النداء الحالي' } as const;
const SOON_OR_MINUTES = { fr: /^(Bientôt|≈ \d+ min)$/, en: /^(Soon|≈ \d+ mins?)$/, ar: /^(قريبًا|≈ \d+ د)$/ } as const;

describe('display layouts at 1920×1080 (main, counter, waiting room) in fr, en and ar', () => {
  let t: TestServer;
  let d: DemoTenant;
  let b: ReturnType<typeof branch>;
  let browser: Browser;
  const called: string[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    b = branch(t, d);
    browser = await launchBrowser();
    // A morning in progress: people waiting in each queue, three counters calling or serving.
    for (const i of [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]) await b.issue(i);
    const first = await b.callNext(0, 0);
    await b.act(0, first.id, 'start_service');
    await b.act(0, first.id, 'close');
    called.push((await b.callNext(0, 0)).number);
    called.push((await b.callNext(1, 1)).number);
    const third = await b.callNext(2, 2);
    await b.act(2, third.id, 'start_service');
    called.push(third.number);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const all = () => [b.queue(0), b.queue(1), b.queue(2)];

  /**
   * One screen per layout; its languages are then changed from the API as a manager would, and the
   * TV follows at once (the `refresh` message): each language is checked on the same open page.
   */
  async function eachLanguage(displayId: string, page: Page, check: (lang: Lang) => Promise<void>): Promise<void> {
    for (const lang of ['fr', 'en', 'ar'] as const) {
      const patched = await t.api('PATCH', `${b.base}/displays/${displayId}/`, { token: d.adminToken, body: { languages: LANGUAGES[lang] } });
      expect(patched.status).toBe(200);
      await expect.poll(() => page.evaluate(() => globalThis.document.documentElement.lang), { timeout: 5000 }).toBe(lang);
      expect(await page.evaluate(() => globalThis.document.documentElement.dir)).toBe(lang === 'ar' ? 'rtl' : 'ltr');
      await check(lang);
      const violations = await axeScan(page);
      expect(violations, `${lang}:\n${describeViolations(violations)}`).toEqual([]);
    }
  }

  it('main screen: now calling, last calls, counters; fr, en, ar; passes axe', async () => {
    const display = await b.provisionedDisplay({ name: 'Hall', type: 'main', queue_ids: all(), languages: ['en'] });
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    await openDisplay(page, display.link);
    await eachLanguage(display.id, page, async (lang) => {
      await expect.poll(() => page.locator('#dsp-now-title').textContent()).toContain(HEADINGS[lang]);
      // The most recent call leads; the earlier ones and each counter's ticket follow.
      expect(await page.locator('[data-testid="now-calling"]').getAttribute('data-ticket')).toBe(called[2]);
      expect(await page.locator('.dsp-recent__row').count()).toBe(3);
      expect(await page.locator('.dsp-board__tile').count()).toBe(3);
      await screenshot(page, `display-main-${lang}`);
    });
    await context.close();
  });

  it('counter screen: its counter and its ticket only; fr, en, ar; passes axe', async () => {
    const display = await b.provisionedDisplay({ name: 'Guichet 2', type: 'counter', queue_ids: all(), languages: ['en'], layout: { counter: 'Guichet 2' } });
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    await openDisplay(page, display.link);
    await eachLanguage(display.id, page, async (lang) => {
      expect(await page.locator('.dsp-counter__label').textContent()).toBe('Guichet 2');
      expect(await page.locator('[data-testid="now-calling"]').getAttribute('data-ticket')).toBe(called[1]);
      await screenshot(page, `display-counter-${lang}`);
    });
    await context.close();
  });

  it('waiting room: waiting lists with ETAs per queue, light theme; fr, en, ar; passes axe', async () => {
    const display = await b.provisionedDisplay({
      name: 'Salle d’attente', type: 'waiting_room', queue_ids: all(), languages: ['en'], theme: { mode: 'light' },
    });
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    await openDisplay(page, display.link);
    await eachLanguage(display.id, page, async (lang) => {
      // Queue A: 5 issued, 2 called; B: 3 issued, 1 called; C: 2 issued, 1 called.
      await expect.poll(() => page.locator('.dsp-wr__row').count(), { timeout: 5000 }).toBe(3 + 2 + 1);
      const firstA = page.locator('.dsp-wr__queue').first().locator('.dsp-wr__row').first();
      expect(await firstA.locator('.dsp-wr__row-number').textContent()).toBe('A003');
      // Each waiting ticket shows its estimated wait ("soon" under a minute).
      await expect.poll(() => firstA.locator('.dsp-wr__eta').textContent()).toMatch(SOON_OR_MINUTES[lang]);
      await screenshot(page, `display-waiting-room-${lang}`);
    });
    await context.close();
  });
});
