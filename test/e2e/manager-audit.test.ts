import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { signIn } from './manager-helpers.ts';

const SECTIONS = [
  ['board', 'Tableau en direct'], ['report', 'Rapport du jour'], ['site', 'Agence'], ['services', 'Services'], ['queues', 'Files'],
  ['staff', 'Personnel'], ['displays', 'Écrans'], ['kiosks', 'Bornes'], ['devices', 'Appareils'], ['templates', 'Modèles de messages'],
  ['customers', 'Clients et RGPD'], ['audit', 'Journal d’audit'],
] as const;

// Twelve sections scanned with axe per language: longer than the default 30 s on a loaded 2-core machine.
describe('manager console: audit log, roles, sessions and accessibility', { timeout: 90_000 }, () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  const base = () => `/api/v1/tenants/${d.slug}`;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    // Some history: a ticket served, a display with a pending device.
    const ticket = (await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id } })).body;
    await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: d.demo.queues[0]!.id } });
    await t.api('POST', `${base()}/tickets/${ticket.id}/start_service/`, { token: d.agentTokens[0] });
    await t.api('POST', `${base()}/tickets/${ticket.id}/close/`, { token: d.agentTokens[0] });
    const display = (await t.api('POST', `${base()}/displays/`, { token: d.adminToken, body: { name: 'TV hall', type: 'main', queue_ids: [d.demo.queues[0]!.id] } })).body;
    await t.api('POST', `${base()}/devices/`, { token: d.adminToken, body: { type: 'display', name: 'TV hall (Raspberry Pi)', display_id: display.id } });
    await t.api('POST', `${base()}/members/`, { token: d.adminToken, body: { email: 'manager@demo-bank.com', password: 'manager-password-1', first_name: 'Mariama', last_name: 'Ba', role: 'manager' } });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists audit actions with filters and pages, and verifies the hash chain', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD, '#/audit');
    const rows = page.locator('tbody tr[data-action]');
    await expect.poll(() => rows.count()).toBeGreaterThan(3);
    const actions = await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['display.created', 'device.created', 'member.created', 'tenant.created']));

    await page.getByLabel('Action', { exact: true }).fill('device.');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect.poll(() => rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-action')))).toEqual(['device.created']);
    await page.getByRole('button', { name: 'Effacer' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(3);

    await page.getByRole('button', { name: 'Vérifier la chaîne' }).click();
    await expect.poll(() => page.locator('.sq-banner--ok').textContent()).toMatch(/^Chaîne intacte : \d+ entrées vérifiées\.$/);
    await screenshot(page, 'manager-audit-fr');

    // A tampered row is named by its position in the chain.
    const { sqlite } = t.server.deps.db;
    sqlite.exec('DROP TRIGGER audit_log_no_update');
    const victim = sqlite.prepare("UPDATE audit_log SET action = 'ticket.forged' WHERE action = 'display.created' RETURNING seq").get() as { seq: number };
    await page.getByRole('button', { name: 'Vérifier la chaîne' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(`Chaîne rompue à l’entrée n° ${victim.seq}`);
    await context.close();
  });

  it('keeps settings-only actions away from a manager and says why', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, 'manager@demo-bank.com', 'manager-password-1', '#/devices');
    await expect.poll(() => page.locator('.sq-banner--info').textContent()).toBe('Seuls les administrateurs peuvent appairer et révoquer des appareils.');
    expect(await page.locator('form').count()).toBe(0);
    await screenshot(page, 'manager-devices-as-manager-fr');

    await page.goto(`${t.url}/manager#/audit`);
    await expect.poll(() => page.locator('.sq-banner--info').textContent()).toBe('Seuls les administrateurs peuvent consulter le journal d’audit.');
    await page.goto(`${t.url}/manager#/displays`);
    await expect.poll(() => page.locator('tbody tr', { hasText: 'TV hall' }).count()).toBe(1);
    expect(await page.locator('.sq-banner--info').textContent()).toContain('seuls les administrateurs');
    expect(await page.getByRole('button', { name: 'Nouvel écran' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Supprimer TV hall' }).count()).toBe(0);
    await page.goto(`${t.url}/manager#/site`);
    await expect.poll(() => page.getByLabel('Nom', { exact: true }).isDisabled()).toBe(true);
    // A manager still runs the floor: staff (without the admin role) and queue status.
    await page.goto(`${t.url}/manager#/staff`);
    await page.getByRole('button', { name: 'Nouveau membre' }).click();
    const roles = await page.getByRole('dialog').getByLabel('Rôle').locator('option').allTextContents();
    expect(roles).toEqual(['Agent', 'Responsable']);
    await page.keyboard.press('Escape');
    await page.goto(`${t.url}/manager#/queues`);
    await page.getByRole('group', { name: 'Statut de la file Conseil' }).getByRole('button', { name: 'En pause' }).click();
    await expect.poll(async () => (await t.api('GET', `${base()}/queues/${d.demo.queues[2]!.id}/`, { token: d.adminToken })).body.status).toBe('paused');
    await context.close();
  });

  it('turns an agent away from the console with a clear message', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/manager`);
    await page.getByLabel('Adresse e-mail').fill(d.demo.agents[1]!.email);
    await page.getByLabel('Mot de passe').fill(d.demo.agents[1]!.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('n’a pas accès à la console');
    expect(await page.locator('nav.mg-nav').count()).toBe(0);
    await context.close();
  });

  it('refreshes an expired access token by itself, and sends the user back to sign in once the session is revoked', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD, '#/staff');
    await expect.poll(() => page.locator('tr[data-member]').count()).toBe(5);
    const KEY = 'smartqueue.manager.session';
    const stored = () => page.evaluate((key) => JSON.parse(sessionStorage.getItem(key) ?? 'null') as { token: string; refreshToken: string } | null, KEY);
    const before = (await stored())!;
    // The access token is no longer accepted (as after its 15 minutes): the next call refreshes it and carries on.
    await page.evaluate((key) => {
      const session = JSON.parse(sessionStorage.getItem(key)!) as Record<string, unknown>;
      sessionStorage.setItem(key, JSON.stringify({ ...session, token: 'expired.token.value' }));
    }, KEY);
    await page.reload();
    await expect.poll(() => page.locator('tr[data-member]').count()).toBe(5);
    const after = (await stored())!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.token).not.toBe('expired.token.value');

    // Signed out elsewhere (the session is revoked): the console says so and asks to sign in again.
    expect((await t.api('POST', '/api/v1/auth/logout/', { token: after.token })).status).toBe(204);
    await page.reload();
    await expect.poll(() => page.locator('.sq-banner--warn').textContent()).toBe('Votre session a expiré. Reconnectez-vous.');
    expect(await stored()).toBeNull();
    await context.close();
  });

  it('passes an axe WCAG 2.1 AA scan of every section in French, and of the login page', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await page.goto(`${t.url}/manager`);
    await page.locator('input[type="email"]').waitFor();
    let violations = await axeScan(page);
    expect(violations, `login: ${describeViolations(violations)}`).toEqual([]);
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD);
    for (const [section, title] of SECTIONS) {
      await page.getByRole('link', { name: title, exact: true }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      await page.locator('.mg-section table, .mg-section .mg-kpis, .mg-section form').first().waitFor();
      // Keyboard users land on the section title after choosing it in the navigation (the board was already open).
      if (section !== 'board') expect(await page.evaluate(() => document.activeElement?.id)).toBe('section-title');
      violations = await axeScan(page);
      expect(violations, `${section}: ${describeViolations(violations)}`).toEqual([]);
      if (['site', 'services'].includes(section)) await screenshot(page, `manager-${section}-fr`);
    }
    // A form dialog and a confirmation dialog too.
    await page.getByRole('link', { name: 'Personnel', exact: true }).click();
    await page.getByRole('button', { name: 'Nouveau membre' }).click();
    await page.getByRole('dialog', { name: 'Nouveau membre' }).getByRole('button', { name: 'Créer' }).click();
    await page.locator('dialog .sq-field__error').first().waitFor();
    violations = await axeScan(page);
    expect(violations, `member form: ${describeViolations(violations)}`).toEqual([]);
    await screenshot(page, 'manager-staff-form-fr');
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Appareils', exact: true }).click();
    await page.getByRole('button', { name: 'Révoquer TV hall (Raspberry Pi)' }).click();
    await page.getByRole('dialog').waitFor();
    violations = await axeScan(page);
    expect(violations, `dialog: ${describeViolations(violations)}`).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await context.close();
  });

  it.each(['en', 'ar'] as const)('passes an axe WCAG 2.1 AA scan of every section in %s', async (lang) => {
    const { context, page } = await newPage(browser, 'desk');
    await page.addInitScript((l) => localStorage.setItem('smartqueue.lang', l), lang);
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe(lang === 'ar' ? 'rtl' : 'ltr');
    for (const [section] of SECTIONS) {
      await page.evaluate((name) => { window.location.hash = `#/${name}`; }, section);
      await page.locator(`nav.mg-nav a[href="#/${section}"][aria-current="page"]`).waitFor();
      await page.locator('.mg-section table, .mg-section .mg-kpis, .mg-section form').first().waitFor();
      const violations = await axeScan(page);
      expect(violations, `${section} (${lang}): ${describeViolations(violations)}`).toEqual([]);
      if (['queues', 'devices'].includes(section)) await screenshot(page, `manager-${section}-${lang}`);
    }
    await context.close();
  });
});
