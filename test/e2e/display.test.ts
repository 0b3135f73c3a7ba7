import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { branch, listenForAnnouncements, openDisplay } from './display-fixtures.ts';

describe('display /display/{id}: pairing, a call on screen within 1 s, spoken and acknowledged', () => {
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

  it('pairs with a code, shows a call within 1 s of call-next, plays its announcement and acknowledges it', async () => {
    const displayId = await b.createDisplay({ name: 'Hall principal', queue_ids: [b.queue(0)] });
    const created = await t.api('POST', `${b.base}/devices/`, { token: d.adminToken, body: { type: 'display', name: 'TV hall', display_id: displayId } });
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    const heard = listenForAnnouncements(page);
    await page.goto(`${t.url}/display`);
    await page.getByLabel('Code d’association').fill(created.body.pairing_code.replace('-', '').toLowerCase());
    await screenshot(page, 'display-pairing-fr');
    await page.getByRole('button', { name: 'Associer' }).click();
    await page.locator('main[data-live="live"]').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/display/${displayId}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Hall principal');

    const ticket = await b.issue(0);
    const called = await b.callNext(0, 0);
    expect(called.id).toBe(ticket.id);
    // Within one second of the API's answer, the number is on the TV as the call being made.
    await page.locator(`[data-testid="now-calling"][data-ticket="${called.number}"]`).waitFor({ timeout: 1000 });
    expect(await page.locator('[data-testid="now-calling"]').textContent()).toContain('Guichet 1');

    await expect.poll(() => heard.find((h) => h.ticket === called.id)?.status, { timeout: 3000 }).toBe(200);
    expect(heard[0]).toMatchObject({ ticket: called.id, recall: '0', type: 'audio/wav' });
    await expect.poll(async () => (await b.acks(called.id)).shown, { timeout: 15_000 }).toBe(true);
    const recorded = await b.acks(called.id);
    expect(recorded.displays).toEqual([expect.objectContaining({ id: displayId, played: true })]);
    await b.act(0, called.id, 'close');
    await context.close();
  });

  it('still shows and acknowledges a call whose audio cannot be fetched, and goes on with the next one', async () => {
    const display = await b.provisionedDisplay({ name: 'Annexe', queue_ids: [b.queue(1)] });
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    // The branch server's audio fails (500): the screen falls back to Web Speech, if the system has voices.
    await page.route('**/announcement/**', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"boom","code":"internal"}' }));
    await openDisplay(page, display.link);
    await b.issue(1);
    await b.issue(1);
    const first = await b.callNext(1, 1);
    await page.locator(`[data-testid="now-calling"][data-ticket="${first.number}"]`).waitFor({ timeout: 1000 });
    await expect.poll(async () => (await b.acks(first.id)).shown, { timeout: 15_000 }).toBe(true);
    await b.act(1, first.id, 'close');
    const second = await b.callNext(1, 1);
    await expect.poll(async () => (await b.acks(second.id)).shown, { timeout: 15_000 }).toBe(true);
    expect((await b.acks(second.id)).acks).toEqual([expect.objectContaining({ display_id: display.id, recall_count: 0 })]);
    await b.act(1, second.id, 'close');
    await context.close();
  });

  it('refuses a pairing code that does not exist, saying so (pairing screen passes axe)', async () => {
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    await page.goto(`${t.url}/display`);
    await page.getByLabel('Code d’association').fill('ZZZZZZZZ');
    await page.getByRole('button', { name: 'Associer' }).click();
    await expect.poll(() => page.getByText('Ce code est inconnu ou a expiré. Demandez un nouveau code.').count()).toBe(1);
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });

  it('goes back to the pairing screen when its device is revoked', async () => {
    const display = await b.provisionedDisplay({ name: 'Couloir', queue_ids: [b.queue(2)] });
    const { context, page } = await newPage(browser, 'tv');
    page.setDefaultTimeout(10_000);
    await openDisplay(page, display.link);
    expect((await t.api('DELETE', `${b.base}/devices/${display.device.id}/`, { token: d.adminToken })).status).toBe(204);
    await page.reload();
    await expect.poll(() => page.getByText('Cet écran a été retiré. Associez-le de nouveau.').count(), { timeout: 5000 }).toBe(1);
    await context.close();
  });
});
