import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { branch, listenForAnnouncements, openDisplay } from './display-fixtures.ts';

describe('display: the branch server restarts under an open screen', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sq-display-restart-'));
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestServer({ dataDir });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the last calls with a discreet "reconnecting" mark, then resyncs and announces what it missed', async () => {
    let b = branch(t, d);
    const display = await b.provisionedDisplay({ name: 'Hall', queue_ids: [b.queue(0)] });
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    const heard = listenForAnnouncements(page);
    await openDisplay(page, display.link);
    await b.issue(0);
    await b.issue(0);
    const before = await b.callNext(0, 0);
    await page.locator(`[data-testid="now-calling"][data-ticket="${before.number}"]`).waitFor();
    await expect.poll(async () => (await b.acks(before.id)).shown, { timeout: 15_000 }).toBe(true);

    const port = t.server.port;
    await t.close();
    await page.getByRole('status').filter({ hasText: 'Reconnexion…' }).waitFor();
    // The last state stays on screen.
    expect(await page.locator('[data-testid="now-calling"]').getAttribute('data-ticket')).toBe(before.number);
    await screenshot(page, 'display-reconnecting-fr');

    t = await startTestServer({ dataDir, port });
    b = branch(t, d);
    // A call made while the screen is still away: the fresh snapshot brings it, and it is spoken.
    await b.act(0, before.id, 'close');
    const missed = await b.callNext(0, 0);
    await page.locator('main[data-live="live"]').waitFor({ timeout: 20_000 });
    expect(await page.getByText('Reconnexion…').count()).toBe(0);
    await page.locator(`[data-testid="now-calling"][data-ticket="${missed.number}"]`).waitFor();
    await expect.poll(() => heard.find((h) => h.ticket === missed.id)?.status, { timeout: 10_000 }).toBe(200);
    await expect.poll(async () => (await b.acks(missed.id)).shown, { timeout: 15_000 }).toBe(true);
    await context.close();
  });
});
