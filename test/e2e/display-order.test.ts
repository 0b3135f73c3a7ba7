import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { branch, listenForAnnouncements, openDisplay } from './display-fixtures.ts';

describe('display: calls close together are announced in order, recalls again', () => {
  let t: TestServer;
  let d: DemoTenant;
  let b: ReturnType<typeof branch>;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    b = branch(t, d);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('announces two quick calls one after the other in call order, then a recall again', async () => {
    const display = await b.provisionedDisplay({ name: 'Hall', queue_ids: [b.queue(0), b.queue(1)] });
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    const heard = listenForAnnouncements(page);
    await openDisplay(page, display.link);
    // The key left the address bar with the fragment.
    expect(new URL(page.url()).hash).toBe('');

    await b.issue(0);
    await b.issue(1);
    const first = await b.callNext(0, 0);
    const second = await b.callNext(1, 1);
    // Both are on screen at once; the second waits its turn to be spoken.
    await page.locator(`[data-ticket="${second.number}"]`).first().waitFor({ timeout: 1000 });
    await page.locator(`[data-ticket="${first.number}"]`).first().waitFor({ timeout: 1000 });
    expect(await page.locator('[data-testid="now-calling"]').getAttribute('data-ticket')).toBe(first.number);

    await expect.poll(() => heard.filter((h) => h.status === 200).length, { timeout: 20_000 }).toBe(2);
    expect(heard.map((h) => h.ticket)).toEqual([first.id, second.id]);
    // The second is asked for only once the first has been spoken (chime + sentence: seconds, not ms).
    expect(heard[1]!.at - heard[0]!.at).toBeGreaterThan(2500);
    await expect.poll(async () => (await b.acks(second.id)).shown, { timeout: 15_000 }).toBe(true);
    const [a1, a2] = [(await b.acks(first.id)).acks[0], (await b.acks(second.id)).acks[0]];
    expect(Date.parse(a1.acked_at)).toBeLessThan(Date.parse(a2.acked_at));

    await b.act(0, first.id, 'recall');
    await expect.poll(() => heard.length, { timeout: 5000 }).toBe(3);
    expect(heard[2]).toMatchObject({ ticket: first.id, recall: '1' });
    await expect.poll(() => page.locator('[data-testid="now-calling"]').getAttribute('data-ticket')).toBe(first.number);
    await screenshot(page, 'display-main-recall-fr');
    await expect.poll(async () => (await b.acks(first.id)).acks.map((a: { recall_count: number }) => a.recall_count), { timeout: 15_000 }).toEqual([0, 1]);
    await context.close();
  });
});
