import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../branch-server/db/migrations/index.ts';
import { httpTransport, type SyncTransport } from '../../sync/client/transport.ts';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../helpers/cloud.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { hq } from '../helpers/sync.ts';
import { signIn } from './manager-helpers.ts';

/** The branch's link to the cloud, as the test cuts and slows it. */
const link = { up: true, delayMs: 0 };
function linkTo(url: string): SyncTransport {
  const inner = httpTransport(url, { timeoutMs: 10_000, schemaVersion: Object.keys(MIGRATIONS).length });
  return async (req) => {
    if (!link.up) throw new Error('connect ENETUNREACH');
    if (link.delayMs > 0) await new Promise((r) => setTimeout(r, link.delayMs));
    return inner(req);
  };
}

describe('manager console: sync with HQ', () => {
  let cloud: TestCloud;
  let acme: SeededCloudTenant;
  let queueId: string;
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;

  beforeAll(async () => {
    cloud = await startTestCloud();
    acme = await seedCloudTenant(cloud, 'acme');
    queueId = await hq.queue(cloud, acme.tenantId, acme.siteId, await hq.service(cloud, acme.tenantId, 'Comptes'), 'A');
    t = await startTestServer({
      sync: { transportFor: linkTo, loop: { intervalMs: 1_000, nudgeDelayMs: 50, backoffBaseMs: 100, backoffCapMs: 400, batchRows: 10 } },
    });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await cloud?.stop();
  });

  it('enrolls the branch from the console, shows it online, and a progress bar while the backlog of an outage drains', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD, '#/sync');
    await expect.poll(() => page.locator('.mg-sync__state .sq-badge').textContent(), { timeout: 10_000 }).toBe('Non enrôlée');
    // The demo's own history waits to be uploaded.
    const waiting = page.locator('.mg-kpi', { hasText: 'Changements en attente' }).locator('dd');
    await expect.poll(async () => Number((await waiting.textContent())?.replace(/\s/g, '')), { timeout: 10_000 }).toBeGreaterThan(0);
    let violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    await page.getByLabel('Adresse du cloud', { exact: true }).fill(cloud.url);
    await page.getByLabel('Jeton d’enrôlement', { exact: true }).fill('this-token-was-never-issued');
    await page.getByRole('button', { name: 'Enrôler', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 20_000 }).toMatch(/Vérifiez les champs signalés\..*(unknown|expired|used)/);
    violations = await axeScan(page);
    expect(violations, `enroll error: ${describeViolations(violations)}`).toEqual([]);
    await screenshot(page, 'manager-sync-enroll-fr');

    await page.getByLabel('Jeton d’enrôlement', { exact: true }).fill(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await page.getByRole('button', { name: 'Enrôler', exact: true }).click();
    await expect.poll(() => page.locator('.mg-toasts').textContent(), { timeout: 10_000 }).toContain('Agence enrôlée dans acme.');
    // The first sync brings HQ's staff: the local demo admin's session ends, HQ's admin signs in here.
    await expect.poll(() => page.locator('input[type="email"]').count(), { timeout: 15_000 }).toBe(1);
    await signIn(page, t.url, acme.adminEmail, acme.adminPassword, '#/sync');
    await expect.poll(() => page.locator('.mg-sync__state .sq-badge').textContent(), { timeout: 10_000 }).toBe('Connectée');
    await expect.poll(() => waiting.textContent(), { timeout: 10_000 }).toBe('0');
    expect(await page.locator('.mg-sync__facts').textContent()).toContain('acme main');

    // The link goes down while the branch keeps issuing tickets.
    link.up = false;
    const token = await t.login(acme.adminEmail, acme.adminPassword);
    for (let i = 0; i < 40; i += 1) {
      expect((await t.api('POST', '/api/v1/tenants/acme/tickets/', { token, body: { queue: queueId } })).status).toBe(201);
    }
    await expect.poll(() => page.locator('.mg-sync__state .sq-badge').textContent(), { timeout: 10_000 }).toBe('Hors ligne');
    const backlog = Number(t.server.deps.db.sqlite.prepare('SELECT count(*) FROM sync_outbox').pluck().get());
    expect(backlog).toBeGreaterThanOrEqual(100);
    await expect.poll(async () => Number((await waiting.textContent())?.replace(/\s/g, ''))).toBe(backlog);
    expect(await page.locator('.mg-section .sq-banner--warn').textContent()).toBe('Le cloud du siège est injoignable. L’agence continue de fonctionner et enverra tout dès le retour de la liaison.');
    await screenshot(page, 'manager-sync-offline-fr');

    // It comes back, slowly: the backlog drains in batches and the bar shows how far it got.
    link.delayMs = 400;
    link.up = true;
    const bar = page.locator('progress#sync-drain');
    await bar.waitFor({ timeout: 15_000 });
    const value = Number(await bar.getAttribute('value'));
    const max = Number(await bar.getAttribute('max'));
    expect(max).toBe(backlog);
    expect(value).toBeLessThan(max);
    expect(await page.getByText(/^\d+ sur \d+ envoyés$/).count()).toBe(1);
    violations = await axeScan(page);
    expect(violations, `draining: ${describeViolations(violations)}`).toEqual([]);
    await screenshot(page, 'manager-sync-draining-fr');
    await expect.poll(() => waiting.textContent(), { timeout: 30_000 }).toBe('0');
    await expect.poll(() => bar.count(), { timeout: 10_000 }).toBe(0);
    link.delayMs = 0;
    const uploaded = await cloud.db.db.selectFrom('ticket').select((eb) => eb.fn.countAll<number>().as('n')).where('queue_id', '=', queueId).executeTakeFirstOrThrow();
    expect(Number(uploaded.n)).toBe(40);
    await context.close();
  }, 120_000);

  it.each(['en', 'ar'] as const)('passes an axe WCAG 2.1 AA scan of the sync section in %s', async (lang) => {
    const { context, page } = await newPage(browser, 'desk');
    await page.addInitScript((l) => localStorage.setItem('smartqueue.lang', l), lang);
    await signIn(page, t.url, acme.adminEmail, acme.adminPassword, '#/sync');
    await expect.poll(() => page.locator('.mg-sync__state .sq-badge').textContent(), { timeout: 10_000 }).toBe(lang === 'en' ? 'Online' : 'متصل');
    const violations = await axeScan(page);
    expect(violations, `sync (${lang}): ${describeViolations(violations)}`).toEqual([]);
    await screenshot(page, `manager-sync-${lang}`);
    await context.close();
  }, 60_000);

  it('once enrolled, shows what HQ owns as read-only: no create, edit or delete, while a queue still opens and pauses here', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, acme.adminEmail, acme.adminPassword, '#/services');
    const notice = page.getByTestId('hq-managed');
    await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toContain('Géré par le siège');
    await expect.poll(() => page.locator('.mg-table').textContent(), { timeout: 10_000 }).toContain('Comptes'); // HQ's service, received
    expect(await page.getByRole('button', { name: 'Nouveau service' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Modifier Comptes' }).count()).toBe(0);

    await page.goto(`${t.url}/manager#/queues`);
    await expect.poll(() => notice.count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByRole('button', { name: 'Nouvelle file' }).count()).toBe(0);
    const row = page.locator(`tr[data-queue="${queueId}"]`);
    expect(await row.getByRole('button', { name: /^Supprimer/ }).count()).toBe(0);
    // Opening hours of the day are the branch's own: pausing the queue works and is undone here.
    await row.getByRole('button', { name: 'En pause' }).click();
    await expect.poll(async () => (await t.api('GET', `/api/v1/tenants/acme/queues/${queueId}/`, { token: await t.login(acme.adminEmail, acme.adminPassword) })).body.status).toBe('paused');
    await row.getByRole('button', { name: 'Ouverte' }).click();
    await expect.poll(() => row.getByRole('button', { name: 'Ouverte' }).getAttribute('aria-pressed')).toBe('true');

    await page.goto(`${t.url}/manager#/staff`);
    await expect.poll(() => notice.count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByRole('button', { name: 'Nouveau membre' }).count()).toBe(0);
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  }, 60_000);
});
