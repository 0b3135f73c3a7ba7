import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { fieldError, signIn } from './manager-helpers.ts';

describe('manager console: configuration', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const open = async (section: string, title: string) => {
    await page.getByRole('navigation', { name: 'Sections de la console' }).getByRole('link', { name: title, exact: true }).click();
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe(`#/${section}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
  };

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser, 'desk'));
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it('creates a service with an SLA and a queue for it, shows API errors under their fields, and opens, pauses and closes the queue with undo', async () => {
    await open('services', 'Services');
    await page.getByRole('button', { name: 'Nouveau service' }).click();
    const form = page.getByRole('dialog', { name: 'Nouveau service' });
    await form.getByLabel('Nom', { exact: true }).fill('Change de devises');
    await form.getByLabel('Code', { exact: true }).fill('CHG !');
    await form.getByLabel('Objectif d’attente (minutes)').fill('10');
    await form.getByRole('button', { name: 'Créer' }).click();
    await expect.poll(() => fieldError(page, 'Code').textContent()).toBe('letters, digits, - and _ only');
    await form.getByLabel('Code', { exact: true }).fill('CHG');
    await form.getByRole('button', { name: 'Créer' }).click();
    const row = page.locator('tbody tr', { hasText: 'Change de devises' });
    await expect.poll(() => row.textContent()).toMatch(/10\smin/);
    const services = (await t.api('GET', `${base()}/queues/services/?search=Change`, { token: d.adminToken })).body.results;
    expect(services.map((s: { sla_seconds: number; code: string }) => [s.code, s.sla_seconds])).toEqual([['CHG', 600]]);

    await open('queues', 'Files');
    await page.getByRole('button', { name: 'Nouvelle file' }).click();
    const queueForm = page.getByRole('dialog', { name: 'Nouvelle file' });
    await queueForm.getByLabel('Service', { exact: true }).selectOption({ label: 'Change de devises' });
    expect(await queueForm.getByLabel('Nom', { exact: true }).inputValue()).toBe('Change de devises');
    await queueForm.getByLabel('Préfixe').fill('A');
    await queueForm.getByLabel('Règle d’appel').selectOption({ label: 'Priorité' });
    await queueForm.getByRole('button', { name: 'Créer' }).click();
    await expect.poll(() => fieldError(page, 'Préfixe').textContent()).toContain('already used by queue');
    await queueForm.getByLabel('Préfixe').fill('D');
    await queueForm.getByRole('button', { name: 'Créer' }).click();
    const queueRow = page.locator('tbody tr', { hasText: 'Change de devises' });
    await expect.poll(() => queueRow.textContent()).toContain('Priorité');
    const queue = (await t.api('GET', `${base()}/queues/?search=Change`, { token: d.adminToken })).body.results[0];
    expect([queue.prefix, queue.algorithm, queue.status]).toEqual(['D', 'priority', 'open']);
    const statusOf = async () => (await t.api('GET', `${base()}/queues/${queue.id}/`, { token: d.adminToken })).body.status;

    const status = queueRow.getByRole('group', { name: 'Statut de la file Change de devises' });
    await status.getByRole('button', { name: 'En pause' }).click();
    await expect.poll(statusOf).toBe('paused');
    await status.getByRole('button', { name: 'Fermée' }).click();
    const dialog = page.getByRole('dialog', { name: 'Fermer la file « Change de devises » ?' });
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    expect(await statusOf()).toBe('paused');
    await status.getByRole('button', { name: 'Fermée' }).click();
    await dialog.getByRole('button', { name: 'Fermer la file' }).click();
    await expect.poll(statusOf).toBe('closed');
    await expect.poll(() => status.getByRole('button', { name: 'Fermée' }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'manager-queues-fr');
    // Undo reopens the queue as it was before (paused).
    await page.getByRole('button', { name: 'Annuler l’action' }).click();
    await expect.poll(statusOf).toBe('paused');
    await expect.poll(() => status.getByRole('button', { name: 'En pause' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('adds an agent with a password, queues and a counter who can then sign in; deactivates with confirmation and undo', async () => {
    await open('staff', 'Personnel');
    await page.getByRole('button', { name: 'Nouveau membre' }).click();
    const form = page.getByRole('dialog', { name: 'Nouveau membre' });
    await form.getByLabel('Prénom').fill('Fatou');
    await form.getByLabel('Nom', { exact: true }).fill('Sall');
    await form.getByLabel('Adresse e-mail').fill('fatou.sall@demo-bank.com');
    await form.getByLabel('Mot de passe initial').fill('short');
    await form.getByLabel('Guichet', { exact: true }).fill('Guichet 7');
    await form.getByRole('group', { name: 'Files servies' }).getByLabel('A — Ouverture de compte').check();
    await form.getByRole('group', { name: 'Files servies' }).getByLabel('C — Conseil').check();
    await form.getByRole('button', { name: 'Créer' }).click();
    await expect.poll(() => fieldError(page, 'Mot de passe initial').textContent()).toBe('au moins 8 caractères');
    await form.getByLabel('Mot de passe initial').fill('fatou-password-1');
    await form.getByRole('button', { name: 'Créer' }).click();
    const row = page.locator('tr[data-member="fatou.sall@demo-bank.com"]');
    await expect.poll(() => row.textContent()).toContain('Guichet 7');
    expect(await row.locator('td').nth(1).textContent()).toBe('A · C');

    const members = (await t.api('GET', `${base()}/members/?search=fatou`, { token: d.adminToken })).body.results;
    const fatou = members[0];
    expect([fatou.role, fatou.counter, fatou.queue_ids.sort()]).toEqual(['agent', 'Guichet 7', [d.demo.queues[0]!.id, d.demo.queues[2]!.id].sort()]);
    expect(await t.login('fatou.sall@demo-bank.com', 'fatou-password-1')).toMatch(/\./);
    await screenshot(page, 'manager-staff-fr');

    await row.getByRole('button', { name: 'Désactiver Fatou Sall' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Désactiver' }).click();
    await expect.poll(() => row.textContent()).toContain('Inactif');
    await page.getByRole('button', { name: 'Annuler l’action' }).click();
    await expect.poll(() => row.textContent()).toContain('Actif');
    expect((await t.api('GET', `${base()}/members/${fatou.id}/`, { token: d.adminToken })).body.is_active).toBe(true);
  });

  it('creates a display and a kiosk, pairs a device with the code it shows, then revokes it', async () => {
    await open('displays', 'Écrans');
    await page.getByRole('button', { name: 'Nouvel écran' }).click();
    let form = page.getByRole('dialog', { name: 'Nouvel écran' });
    await form.getByLabel('Nom', { exact: true }).fill('TV salle principale');
    await form.getByRole('button', { name: 'Créer' }).click();
    await expect.poll(() => form.locator('fieldset', { hasText: 'Files affichées' }).locator('.sq-field__error').textContent()).toBe('au moins 1 élément');
    await form.getByRole('group', { name: 'Files affichées' }).getByLabel('A — Ouverture de compte').check();
    await form.getByRole('group', { name: 'Files affichées' }).getByLabel('B — Retrait').check();
    await form.getByRole('group', { name: 'Langues des annonces' }).getByLabel('العربية').check();
    await form.getByRole('button', { name: 'Créer' }).click();
    await expect.poll(() => page.locator('tbody tr', { hasText: 'TV salle principale' }).textContent()).toContain('A · B');
    await screenshot(page, 'manager-displays-fr');

    await open('kiosks', 'Bornes');
    await page.getByRole('button', { name: 'Nouvelle borne' }).click();
    form = page.getByRole('dialog', { name: 'Nouvelle borne' });
    await form.getByLabel('Nom', { exact: true }).fill('Borne entrée');
    await form.getByRole('group', { name: 'Services proposés' }).getByLabel('B — Retrait').check();
    await form.getByRole('button', { name: 'Créer' }).click();
    await expect.poll(() => page.locator('tbody tr', { hasText: 'Borne entrée' }).textContent()).toContain('Retrait');
    await screenshot(page, 'manager-kiosks-fr');
    const kiosk = (await t.api('GET', `${base()}/kiosks/`, { token: d.adminToken })).body.results[0];

    await open('devices', 'Appareils');
    await page.getByRole('button', { name: 'Appairer un appareil' }).click();
    form = page.getByRole('dialog', { name: 'Appairer un appareil' });
    await form.getByLabel('Type d’appareil').selectOption({ label: 'Borne' });
    await form.getByLabel('Nom', { exact: true }).fill('Borne 1 — entrée');
    await form.getByLabel('Borne', { exact: true }).selectOption({ label: 'Borne entrée' });
    await form.getByRole('button', { name: 'Obtenir un code d’appairage' }).click();
    const code = page.locator('.mg-pairing__code');
    await code.waitFor();
    const shown = (await code.textContent())!;
    expect(shown).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(await page.getByRole('img', { name: `QR code de l’adresse ${t.url}/kiosk` }).count()).toBe(1);
    expect(await page.locator('.mg-pairing').textContent()).toContain(`${t.url}/kiosk`);
    const row = page.locator('tbody tr', { hasText: 'Borne 1 — entrée' });
    await expect.poll(() => row.textContent()).toContain('En attente d’appairage');
    await screenshot(page, 'manager-devices-pairing-fr');

    const paired = await t.api('POST', '/api/v1/devices/pair/', { body: { pairing_code: shown } });
    expect(paired.status).toBe(200);
    expect(paired.body.kiosk_id).toBe(kiosk.id);
    await expect.poll(() => row.textContent(), { timeout: 6000 }).toContain('Appairé');
    await expect.poll(() => page.locator('.mg-pairing__done').textContent()).toBe('Appareil appairé. Il est prêt.');

    await row.getByRole('button', { name: 'Révoquer Borne 1 — entrée' }).click();
    await page.getByRole('dialog', { name: 'Révoquer « Borne 1 — entrée » ?' }).getByRole('button', { name: 'Révoquer' }).click();
    await expect.poll(() => row.textContent()).toContain('Révoqué');
    expect((await t.api('GET', `${base()}/queues/services/`, { device: paired.body.device_key })).status).toBe(401);
    await screenshot(page, 'manager-devices-fr');
  });

  it('edits the branch, showing a refused phone number under its field', async () => {
    await open('site', 'Agence');
    await page.getByLabel('Téléphone').fill('call us');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => fieldError(page, 'Téléphone').textContent()).toBe('must be a phone number');
    await page.getByLabel('Téléphone').fill('+221 33 800 11 22');
    await page.getByLabel('Ville').fill('Dakar Plateau');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(async () => (await t.api('GET', `${base()}/sites/${d.demo.siteId}/`, { token: d.adminToken })).body.phone).toBe('+221 33 800 11 22');
    await expect.poll(() => page.getByRole('button', { name: /Agence Dakar Plateau/ }).textContent()).toContain('Dakar Plateau, SN');
  });

  it("sets the branch's appointment hours (Saturday closed, a closed date) and a service's booking rules", async () => {
    await open('site', 'Agence');
    const hours = page.locator('form', { has: page.getByRole('button', { name: 'Appliquer ces horaires' }) });
    await hours.getByLabel('samedi').uncheck();
    await hours.getByLabel('Jours fermés').fill('2030-12-25');
    await hours.getByRole('button', { name: 'Appliquer ces horaires' }).click();
    await expect.poll(async () => (await t.api('GET', `${base()}/sites/${d.demo.siteId}/opening-hours/`, { token: d.adminToken })).body)
      .toMatchObject({ weekly: [{ open: '08:00', close: '17:00' }, {}, {}, {}, {}, null, { open: '08:00', close: '17:00' }], closed_dates: ['2030-12-25'] });

    await open('services', 'Services');
    await page.locator('tbody tr', { hasText: d.demo.services[0]!.name }).getByRole('button', { name: /^Modifier/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Durée d’un créneau (min)').fill('20');
    await dialog.getByLabel('Surréservation (places en plus)').fill('1');
    await dialog.getByLabel('À la fermeture, les tickets en attente').selectOption('carry_over');
    await dialog.getByRole('button', { name: 'Appliquer ces règles' }).click();
    await expect.poll(async () => (await t.api('GET', `${base()}/queues/services/${d.demo.services[0]!.id}/booking/`, { token: d.adminToken })).body)
      .toMatchObject({ slot_minutes: 20, overbooking: 1, end_of_day: 'carry_over' });
    await dialog.getByRole('button', { name: 'Annuler', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('refuses a template with an unknown variable inline, then saves a valid one and previews it', async () => {
    await open('templates', 'Modèles de messages');
    await page.getByRole('button', { name: 'Nouveau modèle' }).click();
    const form = page.getByRole('dialog', { name: 'Nouveau modèle' });
    await form.getByLabel('Clé').fill('ticket_recalled');
    await form.getByLabel('Texte du message').fill('Rappel : le ticket {{ticket_numbr}} est attendu.');
    await form.getByRole('button', { name: 'Enregistrer et prévisualiser' }).click();
    await expect.poll(() => fieldError(page, 'Texte du message').textContent()).toContain('unknown variable(s) {{ticket_numbr}}');
    expect(await form.getByLabel('Texte du message').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Texte du message').fill('Rappel : le ticket ');
    await form.getByRole('button', { name: '{{ticket_number}}' }).click();
    await form.getByLabel('Texte du message').press('End');
    await form.getByLabel('Texte du message').pressSequentially(' est attendu au ');
    await form.getByRole('button', { name: '{{counter}}' }).click();
    expect(await form.getByLabel('Texte du message').inputValue()).toBe('Rappel : le ticket {{ticket_number}} est attendu au {{counter}}');
    await form.getByRole('button', { name: 'Enregistrer et prévisualiser' }).click();
    await expect.poll(() => page.locator('[data-preview]').textContent()).toBe('Rappel : le ticket A012 est attendu au Guichet 2');
    const stored = (await t.api('GET', `${base()}/notifications/templates/?key=ticket_recalled`, { token: d.adminToken })).body.results;
    expect(stored.map((x: { variables: string[] }) => x.variables)).toEqual([['ticket_number', 'counter']]);
    await screenshot(page, 'manager-templates-fr');
  });
});
