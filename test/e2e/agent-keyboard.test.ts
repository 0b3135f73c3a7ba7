import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

describe('agent desk /agent: keyboard shortcuts and agent status', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const issue = async (queueIndex: number, extra: Record<string, unknown> = {}) =>
    (await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[queueIndex]!.id, ...extra } })).body;
  const ticket = async (id: string) => (await t.api('GET', `${base()}/tickets/${id}/`, { token: d.adminToken })).body;
  const me = async () => (await t.api('GET', `${base()}/agents/me/`, { token: d.agentTokens[1] })).body;
  const currentNumber = () => page.getByTestId('current-number').textContent({ timeout: 1000 }).catch(() => null);
  const currentStatus = () => page.getByTestId('current-status').textContent({ timeout: 1000 }).catch(() => null);
  const notice = () => page.getByTestId('notice').locator('span').first().textContent({ timeout: 1000 }).catch(() => null);

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser, 'desk', { locale: 'en-GB' }));
    // Agent 2 serves the "Retrait" queue (B) only; the desk is used in English here.
    await page.addInitScript(() => localStorage.setItem('smartqueue.lang', 'en'));
    await page.goto(`${t.url}/agent`);
    await page.getByLabel('E-mail address').fill(d.demo.agents[1]!.email);
    await page.getByLabel('Password').fill(d.demo.agents[1]!.password);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('button', { name: 'Open the counter' }).click();
    await page.getByTestId('waiting-list').waitFor();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it('shows each shortcut on its button and lists them all with ?', async () => {
    const keys = await page.locator('[data-action] kbd').allTextContents();
    expect(keys).toEqual(['N', 'R', 'S', 'C', 'T', 'P', 'X']);
    expect(await page.locator('[data-action="callNext"]').getAttribute('aria-keyshortcuts')).toBe('N');
    await page.keyboard.press('Shift+Slash');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.locator('tbody tr').count()).toBe(10);
    expect(await help.textContent()).toContain('Call next');
    await screenshot(page, 'agent-shortcuts-en');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
  });

  it('drives call, recall, start and close from the keyboard', async () => {
    const first = await issue(1, { customer_name: 'Mariama Ba' });
    await page.keyboard.press('n');
    await expect.poll(currentNumber).toBe(first.number);
    await expect.poll(() => page.getByTestId('explanation').textContent()).toContain('Highest priority');
    await page.keyboard.press('r');
    await expect.poll(notice).toBe(`Ticket ${first.number} recalled.`);
    expect((await ticket(first.id)).recall_count).toBe(1);
    await page.keyboard.press('s');
    await expect.poll(currentStatus).toBe('In service');
    expect((await ticket(first.id)).status).toBe('en_service');
    await page.keyboard.press('c');
    await expect.poll(currentNumber).toBeNull();
    expect((await ticket(first.id)).status).toBe('clos');
  });

  it('drives hold, resume, no-show and transfer from the keyboard; typing in a dialog triggers nothing', async () => {
    const held = await issue(1);
    await page.keyboard.press('n');
    await expect.poll(currentNumber).toBe(held.number);
    await page.keyboard.press('p');
    await expect.poll(notice).toBe(`Ticket ${held.number} put on hold.`);
    expect((await ticket(held.id)).status).toBe('pause');
    expect(await page.locator('.desk-held').textContent()).toContain(held.number);
    await page.keyboard.press('p');
    await expect.poll(notice).toBe(`Ticket ${held.number} resumed.`);
    await expect.poll(currentNumber).toBe(held.number);
    expect((await ticket(held.id)).status).toBe('en_service');
    await page.keyboard.press('c');
    await expect.poll(currentNumber).toBeNull();

    const absent = await issue(1);
    await page.keyboard.press('n');
    await expect.poll(currentNumber).toBe(absent.number);
    await page.keyboard.press('x');
    await expect.poll(notice).toBe(`Ticket ${absent.number} marked as no-show.`);
    expect((await ticket(absent.id)).status).toBe('no_show');

    const moved = await issue(1);
    const waitingBehind = await issue(1);
    await page.keyboard.press('n');
    await expect.poll(currentNumber).toBe(moved.number);
    await page.keyboard.press('t');
    const dialog = page.getByRole('dialog', { name: `Transfer ticket ${moved.number}` });
    await dialog.waitFor();
    await dialog.getByLabel('To queue').selectOption({ label: 'A · Ouverture de compte' });
    // Letters typed in the reason are text, not shortcuts (n, c, s, x, t, p all appear here).
    await dialog.getByLabel('Reason for the transfer').pressSequentially('needs an account: sent to opening desk, next please');
    await dialog.getByRole('button', { name: 'Transfer' }).press('Enter');
    await expect.poll(notice).toBe(`Ticket ${moved.number} transferred to “Ouverture de compte”.`);
    const inA = (await t.api('GET', `${base()}/tickets/?queue=${d.demo.queues[0]!.id}&status=en_attente`, { token: d.adminToken })).body.results;
    expect(inA.map((x: { number: string }) => x.number)).toEqual([moved.number]);
    expect((await ticket(waitingBehind.id)).status).toBe('en_attente');
    await expect.poll(currentNumber).toBeNull();
  });

  it('pauses the agent with a reason: call-next is refused with a clear message until they are back', async () => {
    await page.keyboard.press('b');
    const dialog = page.getByRole('dialog', { name: 'Take a break' });
    await dialog.waitFor();
    await dialog.getByLabel('Lunch').check();
    await dialog.getByRole('button', { name: 'Start my break' }).click();
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('On break');
    expect(await page.locator('.desk-paused').textContent()).toContain('Reason: Lunch');
    expect(await me()).toMatchObject({ status: 'paused', status_reason: 'Lunch' });
    await screenshot(page, 'agent-paused-en');

    await page.keyboard.press('n');
    await expect.poll(notice).toBe('You are on a break: become available to call a customer.');
    expect(await currentNumber()).toBeNull();
    expect(await page.getByRole('alert').textContent()).toContain('You are on a break');

    await page.keyboard.press('b');
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('Available');
    expect((await me()).status).toBe('available');
    // Back at work: the customer who waited during the break is called, then nobody is left.
    await page.keyboard.press('n');
    await expect.poll(notice).toMatch(/^Ticket B\d{3} called to Guichet 2\.$/);
    await page.keyboard.press('c');
    await expect.poll(currentNumber).toBeNull();
    await page.keyboard.press('n');
    await expect.poll(notice).toBe('No ticket is waiting in your queues right now.');
  });

  it('keeps a key pressed while the call is still answering: the ticket on screen is put on hold', async () => {
    const next = await issue(1);
    // The call's answer reaches the desk late (a slow network); its ws event shows the ticket first.
    await page.route('**/agents/call-next/', async (route) => {
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, 600));
      await route.fulfill({ response });
    });
    try {
      await page.keyboard.press('n');
      await expect.poll(currentNumber).toBe(next.number);
      expect(await page.locator('[data-action="callNext"]').isDisabled()).toBe(true); // still answering
      await page.keyboard.press('p');
      await expect.poll(notice).toBe(`Ticket ${next.number} put on hold.`);
      expect((await ticket(next.id)).status).toBe('pause');
    } finally {
      await page.unroute('**/agents/call-next/');
    }
    await page.keyboard.press('p');
    await expect.poll(notice).toBe(`Ticket ${next.number} resumed.`);
    await page.keyboard.press('c');
    await expect.poll(currentNumber).toBeNull();
  });
});
