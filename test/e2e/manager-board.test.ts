import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { signIn } from './manager-helpers.ts';

describe('manager console: login, live board and daily report', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  const base = () => `/api/v1/tenants/${d.slug}`;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refuses a wrong password with a clear message, then signs the demo admin in', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/manager`);
    await page.getByLabel('Adresse e-mail').fill(d.adminEmail);
    await page.getByLabel('Mot de passe').fill('wrong-password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('E-mail ou mot de passe incorrect');
    await screenshot(page, 'manager-login-fr');

    await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tableau en direct');
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    // The session survives a reload (sessionStorage) and the hash picks the section.
    await page.goto(`${t.url}/manager#/queues`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Files');
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
    await context.close();
  });

  it('shows the demo queues and agents, and the counts move live when a ticket is issued or called', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD);
    const [qA, qB] = d.demo.queues;
    const card = (id: string) => page.locator(`.mg-queue[data-queue="${id}"]`);
    for (const q of d.demo.queues) await expect.poll(() => card(q.id).locator('h3').textContent()).toBe(q.name);
    await expect.poll(() => page.locator('.mg-live').textContent()).toBe('En direct');
    expect(await card(qA!.id).locator('.mg-queue__waiting').textContent()).toBe('0');
    await expect.poll(() => page.locator('tr[data-agent]').count()).toBe(3);

    await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: qA!.id } });
    await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: qA!.id } });
    await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: qB!.id } });
    await expect.poll(() => card(qA!.id).locator('.mg-queue__waiting').textContent(), { timeout: 3000 }).toBe('2');
    await expect.poll(() => card(qB!.id).locator('.mg-queue__waiting').textContent(), { timeout: 3000 }).toBe('1');

    // Agent 1 calls A001: one fewer waiting, one called, and the agent row shows the ticket.
    await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: qA!.id } });
    await expect.poll(() => card(qA!.id).locator('.mg-queue__waiting').textContent(), { timeout: 3000 }).toBe('1');
    expect(await card(qA!.id).locator('.mg-queue__called').textContent()).toBe('1');
    const agentRow = page.locator(`tr[data-agent="${d.demo.agents[0]!.userId}"]`);
    await expect.poll(() => agentRow.textContent(), { timeout: 6000 }).toContain('A001');
    await screenshot(page, 'manager-board-fr');
    await context.close();
  });

  it('counts a waiting ticket past its service SLA as a breach', async () => {
    const { context, page } = await newPage(browser, 'desk');
    const qC = d.demo.queues[2]!;
    const ticket = (await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: qC.id } })).body;
    // Conseil has a 20-minute SLA: move the ticket's arrival 25 minutes back.
    t.server.deps.db.raw('UPDATE ticket SET created_at = created_at - ? WHERE id = ? RETURNING id', 25 * 60_000, ticket.id);
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD);
    const card = page.locator(`.mg-queue[data-queue="${qC.id}"]`);
    await expect.poll(() => card.locator('.mg-queue__breaches').textContent(), { timeout: 5000 }).toBe('1');
    expect(await card.getAttribute('class')).toContain('has-breach');
    await context.close();
  });

  it('renders the daily report with figures after a served ticket, and exports it as CSV', async () => {
    const qB = d.demo.queues[1]!;
    const served = (await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: qB.id } })).body;
    const agent2 = d.agentTokens[1]!;
    let called = (await t.api('POST', `${base()}/agents/call-next/`, { token: agent2, body: { queue_id: qB.id } })).body;
    while (called.id !== served.id) {
      await t.api('POST', `${base()}/tickets/${called.id}/start_service/`, { token: agent2 });
      await t.api('POST', `${base()}/tickets/${called.id}/close/`, { token: agent2 });
      called = (await t.api('POST', `${base()}/agents/call-next/`, { token: agent2, body: { queue_id: qB.id } })).body;
    }
    await t.api('POST', `${base()}/tickets/${served.id}/start_service/`, { token: agent2 });
    await t.api('POST', `${base()}/tickets/${served.id}/close/`, { token: agent2 });
    expect((await t.api('POST', `/api/v1/public/tickets/${served.public_id}/feedback/`, { body: { csat: 5, nps: 10 } })).status).toBe(201);

    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD, '#/report');
    const queueRow = page.locator('table[data-report="queues"] tbody tr', { hasText: 'Retrait' });
    await expect.poll(() => queueRow.locator('td').nth(1).textContent()).toBe('2');
    await expect.poll(() => page.locator('.mg-kpi', { hasText: 'Satisfaction' }).locator('dd').textContent()).toContain('5 / 5');
    expect(await page.locator('.mg-kpi', { hasText: 'NPS' }).locator('dd').textContent()).toContain('100');
    expect(await page.locator('table[data-report="agents"] tbody tr', { hasText: 'Guichet 2' }).count()).toBe(1);
    expect(await page.locator('figure.mg-chart').count()).toBe(4);
    await screenshot(page, 'manager-report-fr');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter en CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^rapport-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('scope,name,counter,issued,transferred_in,called,served,no_show,transferred,open,avg_wait_seconds,median_wait_seconds,p90_wait_seconds,avg_service_seconds,median_service_seconds,p90_service_seconds,sla_compliance_percent');
    expect(lines.find((l) => l.startsWith('queue,B Retrait,'))?.split(',').slice(3, 10)).toEqual(['2', '0', '', '2', '0', '0', '0']);
    expect(lines.some((l) => l.startsWith('agent,Agent 2,Guichet 2,'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^feedback,1,5,100,1,0,0$/);
    await context.close();
  });

  it.each(['fr', 'en', 'ar'] as const)('passes an axe WCAG 2.1 AA scan of the board (and in en/ar of the report) in %s', async (lang) => {
    const { context, page } = await newPage(browser, 'desk');
    await page.addInitScript((l) => localStorage.setItem('smartqueue.lang', l), lang);
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD);
    await page.locator('.mg-queue').first().waitFor();
    await expect.poll(() => page.locator('.mg-live.is-live').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe(lang === 'ar' ? 'rtl' : 'ltr');
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    if (lang !== 'fr') await screenshot(page, `manager-board-${lang}`);
    if (lang === 'fr') {
      // A 1080p desk screen shows the same board with more room.
      await page.setViewportSize({ width: 1920, height: 1080 });
      await screenshot(page, 'manager-board-1080p-fr');
      return context.close();
    }
    // The report, with its charts mirrored in Arabic.
    await page.goto(`${t.url}/manager#/report`);
    await page.locator('table[data-report="queues"]').waitFor();
    const reportViolations = await axeScan(page);
    expect(reportViolations, describeViolations(reportViolations)).toEqual([]);
    await screenshot(page, `manager-report-${lang}`);
    await context.close();
  });
});
