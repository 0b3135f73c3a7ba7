import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

describe('agent desk: a call no screen showed', { timeout: 60_000 }, () => {
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

  it('warns the agent when the waiting-room display is off, so the customer is called another way', async () => {
    // A display is configured for queue A, but the TV is switched off: nothing will acknowledge.
    const display = await t.api('POST', `/api/v1/tenants/${d.slug}/displays/`, {
      token: d.adminToken, body: { name: 'Hall', type: 'main', queue_ids: [d.demo.queues[0]!.id] },
    });
    expect(display.status).toBe(201);
    await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id } });

    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/agent`);
    await page.getByLabel('Adresse e-mail').fill(d.demo.agents[0]!.email);
    await page.getByLabel('Mot de passe').fill(d.demo.agents[0]!.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('button', { name: 'Ouvrir le guichet' }).click();
    await page.locator('[data-action="callNext"]').click();
    await page.getByTestId('current-number').filter({ hasText: 'A001' }).waitFor();

    const hint = page.getByTestId('call-seen');
    await expect.poll(() => hint.getAttribute('data-state'), { timeout: 25_000 }).toBe('unseen');
    expect(await hint.textContent()).toContain('Aucun écran');
    await screenshot(page, 'agent-call-unseen-fr');
    await context.close();
  });
});
