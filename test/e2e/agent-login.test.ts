import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '../../branch-server/use-cases/create-tenant.ts';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

async function fillLogin(page: Page, email: string, password: string) {
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

describe('agent desk /agent: signing in', () => {
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

  it('refuses a wrong password with a clear message and keeps the e-mail', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/agent`);
    await fillLogin(page, d.demo.agents[0]!.email, 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Adresse e-mail ou mot de passe incorrect.');
    expect(await page.getByLabel('Adresse e-mail').inputValue()).toBe(d.demo.agents[0]!.email);
    expect(await page.getByLabel('Mot de passe').inputValue()).toBe('');
    await screenshot(page, 'agent-login-error-fr');
    await context.close();
  });

  it('lets a member of several organisations choose the one served', async () => {
    await createTenant(t.server.deps.db, { name: 'Banque du Sahel', slug: 'sahel', adminEmail: 'admin@sahel.sn', adminPassword: ADMIN_PASSWORD, withDemoData: false }, Date.now());
    const sahelAdmin = await t.login('admin@sahel.sn', ADMIN_PASSWORD);
    const agent = d.demo.agents[0]!;
    const added = await t.api('POST', '/api/v1/tenants/sahel/members/', {
      token: sahelAdmin, body: { email: agent.email, password: 'ignored-for-existing-user', role: 'agent', counter: 'Caisse 3' },
    });
    expect(added.status).toBe(201);

    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/agent`);
    await fillLogin(page, agent.email, agent.password);
    await page.getByRole('heading', { name: 'Choisissez votre organisation' }).waitFor();
    const choices = page.locator('.desk-tenants__btn');
    expect(await choices.allTextContents()).toEqual(['Tenant demo-bankAgent', 'Banque du SahelAgent']);
    await choices.filter({ hasText: 'Banque du Sahel' }).click();
    await expect.poll(() => page.getByLabel('Nom du guichet').inputValue()).toBe('Caisse 3');
    // This organisation gave them no queue yet: said plainly before they open the counter.
    expect(await page.getByText('Aucune file ne vous est attribuée').count()).toBe(1);
    await context.close();
  });

  it('tells a signed-in member without an agent profile what to do', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/agent`);
    await fillLogin(page, d.adminEmail, ADMIN_PASSWORD);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'profil agent' }).textContent())
      .toBe('Vous n’avez pas de profil agent dans cette organisation. Demandez à un responsable de vous ajouter comme agent.');
    await context.close();
  });

  it('throttles repeated failures and says how long to wait', async () => {
    const email = d.demo.agents[2]!.email;
    for (let i = 0; i < 10; i++) await t.api('POST', '/api/v1/auth/', { body: { email, password: `wrong-${i}` } });
    const { context, page } = await newPage(browser, 'desk', { locale: 'en-GB' });
    await page.addInitScript(() => localStorage.setItem('smartqueue.lang', 'en'));
    await page.goto(`${t.url}/agent`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(d.demo.agents[2]!.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Too many attempts\. Try again in \d+ s\.$/);
    const seconds = Number(/in (\d+) s/.exec((await page.getByRole('alert').textContent()) ?? '')?.[1]);
    expect(seconds).toBeGreaterThan(800);
    expect(seconds).toBeLessThanOrEqual(900);
    // The button waits out the delay, with a countdown.
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);
    expect(await page.getByText(/You can try again in \d+ s/).count()).toBe(1);
    await context.close();
  });
});

describe('agent desk /agent: a long shift', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;

  beforeAll(async () => {
    // Access tokens live 2 s here: the desk must refresh them on its own, ws channels included.
    t = await startTestServer({ accessTokenTtlSeconds: 2 });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refreshes the token before it expires, so actions and the live list keep working', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/agent`);
    await fillLogin(page, d.demo.agents[1]!.email, d.demo.agents[1]!.password);
    await page.getByRole('button', { name: 'Ouvrir le guichet' }).click();
    await page.getByTestId('waiting-list').waitFor();
    const firstToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('smartqueue.agent.session') ?? '{}').token as string);

    await new Promise((resolve) => setTimeout(resolve, 3000));
    const admin = await t.login(d.adminEmail, ADMIN_PASSWORD);
    const issued = (await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: admin, body: { queue: d.demo.queues[1]!.id } })).body;
    await expect.poll(() => page.getByTestId('waiting-list').locator(`tr[data-number="${issued.number}"]`).count(), { timeout: 5000 }).toBe(1);
    await page.locator('[data-action="callNext"]').click();
    await expect.poll(() => page.getByTestId('current-number').textContent()).toBe(issued.number);
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('smartqueue.agent.session') ?? '{}').token as string);
    expect(token).not.toBe(firstToken);
    expect(await page.getByRole('heading', { name: 'Connexion au poste agent' }).count()).toBe(0);
    await context.close();
  });
});
