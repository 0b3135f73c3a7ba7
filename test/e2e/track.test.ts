import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

describe('phone tracking page /t/{public_id}', { timeout: 60_000 }, () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const issue = async (queueIndex = 0) => (await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[queueIndex]!.id } })).body;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the number, people ahead and ETA, then "your turn" with the counter as soon as it is called', async () => {
    await issue();
    const mine = await issue();
    const { context, page } = await newPage(browser, 'phone');
    await page.goto(`${t.url}/t/${mine.public_id}`);
    await expect.poll(() => page.locator('.track__number').textContent()).toBe('A002');
    await expect.poll(() => page.getByText('1 personne(s) avant vous').count()).toBe(1);
    await screenshot(page, 'track-waiting-fr');

    // The ticket ahead is called: the page moves up without a reload.
    await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: d.demo.queues[0]!.id } });
    await expect.poll(() => page.getByText('Vous êtes le prochain').count(), { timeout: 5000 }).toBe(1);

    const first = (await t.api('GET', `${base()}/tickets/?status=appele`, { token: d.adminToken })).body.results[0];
    await t.api('POST', `${base()}/tickets/${first.id}/close/`, { token: d.agentTokens[0] });
    await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: d.demo.queues[0]!.id } });
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 5000 }).toContain('Guichet 1');
    await screenshot(page, 'track-called-fr');
    await context.close();
  });

  it('asks for feedback once the ticket is closed, in Arabic right-to-left, and records it once', async () => {
    const mine = await issue(1);
    await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[1], body: {} });
    await t.api('POST', `${base()}/tickets/${mine.id}/start_service/`, { token: d.agentTokens[1] });
    await t.api('POST', `${base()}/tickets/${mine.id}/close/`, { token: d.agentTokens[1] });

    const { context, page } = await newPage(browser, 'phone');
    await page.goto(`${t.url}/t/${mine.public_id}`);
    await page.getByRole('button', { name: 'العربية' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.getByRole('button', { name: '4', exact: true }).first().click();
    await page.locator('.track__scale--nps').getByRole('button', { name: '9', exact: true }).click();
    await screenshot(page, 'track-feedback-ar');
    await page.getByRole('button', { name: 'إرسال' }).click();
    await expect.poll(() => page.getByText('شكرًا على رأيك!').count()).toBe(1);

    const stored = t.server.deps.db.raw<{ csat: number; nps: number; nps_category: string }>('SELECT csat, nps, nps_category FROM feedback WHERE ticket_id = ?', mine.id);
    expect(stored).toEqual([{ csat: 4, nps: 9, nps_category: 'promoter' }]);
    await context.close();
  });

  it('says clearly when the ticket does not exist', async () => {
    const { context, page } = await newPage(browser, 'phone', { locale: 'en-GB' });
    await page.goto(`${t.url}/t/${'x'.repeat(22)}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('introuvable');
    await context.close();
  });

  it('follows the ticket without a live channel, as through the cloud: read again every 5 s once the turn is near', async () => {
    const mine = await issue(2);
    const { context, page } = await newPage(browser, 'phone');
    // The cloud relays HTTP only: here the live channel is refused the same way.
    await page.routeWebSocket(/\/ws\/public\//, (ws) => ws.close());
    await page.goto(`${t.url}/t/${mine.public_id}`);
    await expect.poll(() => page.getByText('Vous êtes le prochain').count()).toBe(1);

    // Agent 1 finishes the ticket of the first test, then calls this one.
    for (const held of (await t.api('GET', `${base()}/tickets/?status=appele`, { token: d.adminToken })).body.results) {
      await t.api('POST', `${base()}/tickets/${held.id as string}/close/`, { token: d.agentTokens[0] });
    }
    const called = await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: d.demo.queues[2]!.id } });
    expect(called.body.id).toBe(mine.id);
    const calledAt = Date.now();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 8_000 }).toContain('Guichet 1');
    expect(Date.now() - calledAt).toBeLessThan(7_000);
    await context.close();
  });

  it.each(['fr', 'en', 'ar'] as const)('passes an axe WCAG 2.1 AA scan in %s', async (lang) => {
    const mine = await issue(2);
    const { context, page } = await newPage(browser, 'phone');
    await page.addInitScript((l) => localStorage.setItem('smartqueue.lang', l), lang);
    await page.goto(`${t.url}/t/${mine.public_id}`);
    await page.locator('.track__number').waitFor();
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });
});
