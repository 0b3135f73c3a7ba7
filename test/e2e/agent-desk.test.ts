import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

describe('agent desk /agent: serving customers', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const queue = (i: number) => d.demo.queues[i]!;
  const issue = async (queueIndex: number, extra: Record<string, unknown> = {}) =>
    (await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queue(queueIndex).id, ...extra } })).body;
  const ticket = async (id: string) => (await t.api('GET', `${base()}/tickets/${id}/`, { token: d.adminToken })).body;
  const currentNumber = () => page.getByTestId('current-number').textContent({ timeout: 1000 }).catch(() => null);
  const notice = () => page.getByTestId('notice').locator('span').first().textContent({ timeout: 1000 }).catch(() => null);
  const action = (name: string) => page.locator(`[data-action="${name}"]`);

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser, 'desk'));
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it('signs a demo agent in, opens the counter with its served queues, and shows who waits', async () => {
    await issue(0, { customer: d.demo.customers[0] });
    await page.goto(`${t.url}/agent`);
    await page.getByLabel('Adresse e-mail').fill(d.demo.agents[0]!.email);
    await page.getByLabel('Mot de passe').fill(d.demo.agents[0]!.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();

    // Set-up: the counter label is editable, the queues served (skills) are listed read-only.
    const counter = page.getByLabel('Nom du guichet');
    await expect.poll(() => counter.inputValue()).toBe('Guichet 1');
    expect(await page.locator('.desk-served__list li').allTextContents()).toEqual(['AOuverture de compte', 'BRetrait', 'CConseil']);
    await counter.fill('Guichet 7');
    await page.getByRole('button', { name: 'Ouvrir le guichet' }).click();

    await expect.poll(() => page.getByTestId('counter-button').textContent()).toContain('Guichet 7');
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('Disponible');
    await expect.poll(() => page.getByTestId('waiting-list').locator('tr[data-number="A001"]').count()).toBe(1);
    const me = (await t.api('GET', `${base()}/agents/me/`, { token: d.agentTokens[0] })).body;
    expect({ status: me.status, counter: me.counter }).toEqual({ status: 'available', counter: 'Guichet 7' });
    // The session survives a reload of the tab (sessionStorage) without asking for the counter again.
    await page.reload();
    await expect.poll(() => page.getByTestId('counter-button').textContent()).toContain('Guichet 7');

    // The counter can be changed later from the header.
    await page.getByTestId('counter-button').click();
    const dialog = page.getByRole('dialog', { name: 'Ouverture du guichet' });
    await dialog.getByLabel('Nom du guichet').fill('Guichet 8');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => page.getByTestId('counter-button').textContent()).toContain('Guichet 8');
    expect((await t.api('GET', `${base()}/agents/me/`, { token: d.agentTokens[0] })).body.counter).toBe('Guichet 8');
    await page.getByTestId('counter-button').click();
    await dialog.getByLabel('Nom du guichet').fill('Guichet 7');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => page.getByTestId('counter-button').textContent()).toContain('Guichet 7');
  });

  it('calls the next ticket and shows why the engine chose it, with the customer card', async () => {
    await action('callNext').click();
    await expect.poll(currentNumber).toBe('A001');
    const why = page.getByTestId('explanation');
    await expect.poll(() => why.textContent()).toContain('Premier arrivé dans la file');
    // The engine's own sentence (explanation.reason) is shown as well.
    expect(await why.locator('[lang="en"]').textContent()).toMatch(/^First in line after waiting/);
    expect(await notice()).toBe('Ticket A001 appelé au Guichet 7.');

    const card = page.getByTestId('customer-card');
    await expect.poll(() => card.locator('.desk-customer__name').textContent()).toBe('Awa Diop');
    expect(await card.textContent()).toContain('+221770000001');
    // Agents hold read:customer only: the notes are shown read-only.
    expect(await card.locator('textarea').getAttribute('readonly')).not.toBeNull();
    expect(await card.textContent()).toContain('Lecture seule');

    const listed = (await t.api('GET', `${base()}/tickets/?status=appele`, { token: d.adminToken })).body.results;
    expect(listed.map((x: { number: string; counter: string }) => [x.number, x.counter])).toEqual([['A001', 'Guichet 7']]);
    await expect.poll(() => page.getByTestId('waiting-list').locator('tr[data-number="A001"]').count()).toBe(0);
    await screenshot(page, 'agent-called-fr');
    // After a reload the explanation comes back from the ticket's history.
    await page.reload();
    await expect.poll(() => page.getByTestId('explanation').textContent()).toContain('Premier arrivé dans la file');
  });

  it('starts the service with a running timer, then closes the ticket', async () => {
    await action('start').click();
    await expect.poll(() => page.getByTestId('current-status').textContent()).toBe('En service');
    const timer = page.getByTestId('service-timer');
    const first = await timer.textContent();
    expect(first).toMatch(/^\d\d:\d\d$/);
    await expect.poll(() => timer.textContent(), { timeout: 3000 }).not.toBe(first);
    expect(await page.locator('.desk-timer__label').textContent()).toBe('En service depuis');

    const id = (await t.api('GET', `${base()}/tickets/?status=en_service`, { token: d.adminToken })).body.results[0].id;
    await action('close').click();
    await expect.poll(notice).toBe('Ticket A001 clôturé.');
    await expect.poll(currentNumber).toBeNull();
    expect((await ticket(id)).status).toBe('clos');
    expect(await page.getByTestId('agent-status').textContent()).toBe('Disponible');
  });

  it('updates the waiting list live when a ticket is issued through the API', async () => {
    const list = page.getByTestId('waiting-list');
    await expect.poll(() => list.locator('tbody tr').count()).toBe(0);
    await issue(1, { customer_name: 'Fatou Sall' });
    await issue(1, { customer_name: 'Ibrahima Fall' });
    await expect.poll(() => list.locator('tbody tr').count(), { timeout: 3000 }).toBe(2);
    const rows = await list.locator('tbody tr').allTextContents();
    expect(rows[0]).toContain('B001');
    expect(rows[0]).toContain('Fatou Sall');
    expect(rows[1]).toContain('B002');
    // Position in its queue and the estimated wait, as the server computes them.
    const second = list.locator('tr[data-number="B002"] td.is-num');
    expect(await second.first().textContent()).toBe('2');
    expect(await second.nth(1).textContent()).toMatch(/min/);
    expect(await page.getByTestId('waiting-count').textContent()).toBe('2 en attente');
  });

  it('transfers the current ticket to another queue with a reason', async () => {
    await page.getByLabel('Appeler depuis').selectOption({ label: 'B · Retrait (2)' });
    await action('callNext').click();
    await expect.poll(currentNumber).toBe('B001');
    await action('transfer').click();
    const dialog = page.getByRole('dialog', { name: 'Transférer le ticket B001' });
    await dialog.waitFor();
    // A reason is required.
    await dialog.getByRole('button', { name: 'Transférer' }).click();
    await expect.poll(() => dialog.getByText('Indiquez un motif.').count()).toBe(1);
    await dialog.getByLabel('Vers la file').selectOption({ label: 'C · Conseil' });
    await dialog.getByLabel('Motif du transfert').fill('Demande de prêt immobilier');
    await dialog.getByRole('button', { name: 'Transférer' }).click();
    await expect.poll(notice).toBe('Ticket B001 transféré vers « Conseil ».');
    await expect.poll(currentNumber).toBeNull();

    // The customer keeps their number in the target queue; the reason is in the history.
    const moved = (await t.api('GET', `${base()}/tickets/?queue=${queue(2).id}&status=en_attente`, { token: d.adminToken })).body.results;
    expect(moved.map((x: { number: string; customer_name: string }) => [x.number, x.customer_name])).toEqual([['B001', 'Fatou Sall']]);
    const events = (await t.api('GET', `${base()}/tickets/${moved[0].id}/events/`, { token: d.adminToken })).body;
    expect(events.map((e: { reason: string }) => e.reason)).toContain('Demande de prêt immobilier');
    // And it appears in the agent's live waiting list under the other queue.
    const row = page.getByTestId('waiting-list').locator('tr[data-number="B001"]');
    await expect.poll(() => row.textContent()).toContain('Conseil');
    await page.getByLabel('Appeler depuis').selectOption({ index: 0 });
  });

  it('puts a ticket on hold and resumes it, marks a no-show, and recalls', async () => {
    await page.getByLabel('Appeler depuis').selectOption({ label: 'B · Retrait (1)' });
    await action('callNext').click();
    await expect.poll(currentNumber).toBe('B002');
    await action('pause').click();
    await expect.poll(notice).toBe('Ticket B002 mis en attente.');
    const held = page.locator('.desk-held');
    await expect.poll(() => held.textContent()).toContain('B002');
    await expect.poll(currentNumber).toBeNull();
    const heldId = (await t.api('GET', `${base()}/tickets/?status=pause`, { token: d.adminToken })).body.results[0].id;

    // The same button now resumes the ticket on hold.
    await expect.poll(() => action('pause').textContent()).toContain('Reprendre');
    await action('pause').click();
    await expect.poll(currentNumber).toBe('B002');
    expect((await ticket(heldId)).status).toBe('en_service');
    await expect.poll(() => held.count()).toBe(0);
    await action('close').click();
    await expect.poll(currentNumber).toBeNull();

    // A called customer who does not come: recall once, then no-show.
    await page.getByLabel('Appeler depuis').selectOption({ index: 0 });
    const absent = await issue(0);
    await action('callNext').click();
    await expect.poll(currentNumber).toBe(absent.number);
    await action('recall').click();
    await expect.poll(notice).toBe(`Ticket ${absent.number} rappelé.`);
    await expect.poll(() => page.getByTestId('current-ticket').textContent()).toContain('Rappelé 1 fois');
    expect((await ticket(absent.id)).recall_count).toBe(1);
    await action('noShow').click();
    await expect.poll(notice).toBe(`Ticket ${absent.number} noté absent.`);
    await expect.poll(currentNumber).toBeNull();
    expect((await ticket(absent.id)).status).toBe('no_show');
  });

  it('explains the refusal when the agent calls while still holding a ticket', async () => {
    await action('callNext').click();
    await expect.poll(currentNumber).toBe('B001');
    await action('callNext').click();
    await expect.poll(notice).toBe('Vous traitez déjà le ticket B001. Clôturez-le, transférez-le ou mettez-le en attente d’abord.');
    await action('close').click();
    await expect.poll(currentNumber).toBeNull();
    await action('callNext').click();
    await expect.poll(notice).toBe('Aucun ticket n’attend dans vos files pour le moment.');
  });

  it('lets a manager serving at a counter edit the customer notes (write:customer), keeping other metadata', async () => {
    const moussa = d.demo.customers[1]!;
    await t.api('PATCH', `${base()}/customers/${moussa}/`, { token: d.adminToken, body: { metadata: { segment: 'pro' } } });
    const created = await t.api('POST', `${base()}/members/`, {
      token: d.adminToken,
      body: { email: 'manager@demo-bank.local', password: 'manager-password-1', first_name: 'Aïssatou', last_name: 'Sow', role: 'manager', queue_ids: [queue(0).id], counter: 'Bureau 2' },
    });
    expect(created.status).toBe(201);
    const mine = await issue(0, { customer: moussa });

    const other = await newPage(browser, 'desk');
    const p = other.page;
    await p.goto(`${t.url}/agent`);
    await p.getByLabel('Adresse e-mail').fill('manager@demo-bank.local');
    await p.getByLabel('Mot de passe').fill('manager-password-1');
    await p.getByRole('button', { name: 'Se connecter' }).click();
    await p.getByRole('button', { name: 'Ouvrir le guichet' }).click();
    await p.locator('[data-action="callNext"]').click();
    await expect.poll(() => p.getByTestId('current-number').textContent()).toBe(mine.number);
    const card = p.getByTestId('customer-card');
    await expect.poll(() => card.locator('.desk-customer__name').textContent()).toBe('Moussa Ndiaye');
    const notes = card.getByLabel('Notes');
    expect(await notes.getAttribute('readonly')).toBeNull();
    await notes.fill('Rappeler pour le rendez-vous de jeudi.');
    await card.getByRole('button', { name: 'Enregistrer les notes' }).click();
    await expect.poll(() => p.getByTestId('notice').locator('span').first().textContent()).toBe('Notes enregistrées.');
    const stored = (await t.api('GET', `${base()}/customers/${moussa}/`, { token: d.adminToken })).body;
    expect(stored.metadata).toEqual({ segment: 'pro', notes: 'Rappeler pour le rendez-vous de jeudi.' });
    await p.locator('[data-action="close"]').click();
    await expect.poll(() => p.getByTestId('current-number').count()).toBe(0);
    await other.context.close();
  });

  it('signs out: the session ends on the server and the login page says so', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Vous êtes déconnecté' }).count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('smartqueue.agent.session'))).toBeNull();
  });
});
