import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../branch-server/db/sqlite.ts';
import { closeDay } from '../../branch-server/use-cases/end-of-day.ts';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../helpers/cloud.ts';
import { startFakePrinter, type FakePrinter } from '../helpers/fake-printer.ts';
import { HqClient, seedSuperAdmin } from '../helpers/hq.ts';
import { buildWorld, expectedFigures, uploadWorld, type HqWorld } from '../helpers/hq-dataset.ts';
import { seedDemoTenant, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The HQ dashboard in Chromium against a real cloud fed by a real branch server through sync, plus
 * a known synthetic history (uploaded through the same push route) for the analytics figures.
 */

let cloud: TestCloud;
let acme: SeededCloudTenant;
let globex: SeededCloudTenant;
let t: TestServer;
let browser: Browser;
let world: HqWorld;
let branchToken: string;
let queueA: string;
let printerOut: FakePrinter;
const FIRST = '2026-03-02';
const LAST = '2026-03-08';

async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signInHq(page: Page, email: string, password: string, hash = ''): Promise<void> {
  await page.goto(`${cloud.url}/hq${hash}`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.locator('.mg-shell, .mg-tenants').first().waitFor({ timeout: 10_000 });
}

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  globex = await seedCloudTenant(cloud, 'globex');
  const admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
  // A known history at both sites, then the synthetic uploaders are retired (only the real branch stays enrolled at Dakar).
  world = await buildWorld(admin, acme, FIRST, 7, 30);
  await uploadWorld(cloud, acme, world);
  const synthetic = (await admin.get('/api/v1/tenants/acme/branches/?page_size=100')).body.results as { id: string; site: string }[];
  for (const b of synthetic.filter((s) => s.site === acme.siteId)) await admin.post(`/api/v1/tenants/acme/branches/${b.id}/revoke/`);
  queueA = world.queues[0]!.id;

  // The printer health job reads idle printers (a fake ESC/POS printer here) twice a second.
  printerOut = await startFakePrinter('paper-out');
  t = await startTestServer({
    sync: { loop: { intervalMs: 1_000, nudgeDelayMs: 50, backoffBaseMs: 100, backoffCapMs: 400 } },
    jobs: { health: { intervalMs: 500 }, printing: { timeouts: { connectMs: 500, statusMs: 200, writeMs: 2000 } } },
  });
  const demo = await seedDemoTenant(t);
  const enrolled = await t.api('POST', '/api/v1/sync/enroll/', { token: demo.adminToken, body: { cloud_url: cloud.url, token: await enrollmentToken(cloud, acme.tenantId, acme.siteId) } });
  expect(enrolled.status).toBe(200);
  const signIn = await eventually(() => t.api('POST', '/api/v1/auth/', { body: { email: acme.adminEmail, password: acme.adminPassword } }), (r) => r.status === 200);
  branchToken = signIn.body.token;
  // The branch has HQ's queue once its first pull is applied.
  await eventually(() => t.api('GET', `/api/v1/tenants/acme/queues/${queueA}/`, { token: branchToken }), (r) => r.status === 200);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await printerOut?.close();
  await cloud?.stop();
});

describe('HQ dashboard', () => {
  it('shows every branch, a live branch page, enrollment, configuration received by the branch, analytics, audit', async () => {
    const { context, page } = await newPage(browser, 'desk');
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${cloud.url}/hq`);
    await page.getByLabel('Adresse e-mail').waitFor();
    await screenshot(page, 'hq-login');
    await signInHq(page, acme.adminEmail, acme.adminPassword);

    // Branches: the enrolled branch is online, Paris's only uploader is not; both are on the map.
    const dakar = page.locator(`#hq-branches tr[data-site="${acme.siteId}"]`);
    await expect.poll(() => dakar.locator('.sq-badge').first().textContent(), { timeout: 10_000 }).toBe('En ligne');
    expect(await page.locator('.hq-map a').count()).toBe(2);
    let violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'hq-branches');

    // The branch reports its printer out of paper and its last good backup; its sealed day reaches the branch page.
    const db = t.server.deps.db;
    const printer = await t.api('POST', '/api/v1/tenants/acme/printers/', { token: branchToken, body: { name: 'Kiosk printer', transport: 'network', host: printerOut.host, port: printerOut.port } });
    expect(printer.status).toBe(201);
    const backup = await t.server.deps.backups.take('manual');
    const sealed = closeDay({ db, events: t.server.events }, db.first(qb.selectFrom('site').selectAll().where('id', '=', acme.siteId))!, '2026-03-09', Date.now());
    await expect.poll(() => dakar.locator('[data-alert="printer"]').textContent(), { timeout: 10_000 }).toBe('Imprimante Kiosk printer : plus de papier');
    await expect.poll(() => dakar.locator('.hq-backup').textContent(), { timeout: 10_000 }).not.toBe('jamais');
    await screenshot(page, 'hq-branches-alerts');
    expect(backup.ok).toBe(true);
    await expect.poll(async () => (await cloud.db.db.selectFrom('day_summary').select('id').where('id', '=', sealed.summary.id).execute()).length, { timeout: 10_000 }).toBe(1);

    // A ticket issued at the branch appears on the HQ branch page within seconds.
    await dakar.getByRole('link').click();
    await page.locator('#hq-live-queues').waitFor();
    expect(await page.locator('#hq-days tr[data-day="2026-03-09"] .hq-day-issued').textContent()).toBe(String(sealed.summary.tickets_issued));
    const issued = await t.api('POST', '/api/v1/tenants/acme/tickets/', { token: branchToken, body: { queue: queueA } });
    expect(issued.status).toBe(201);
    const row = page.locator(`#hq-live-queues tr[data-queue="${queueA}"]`);
    await expect.poll(() => row.locator('.hq-next').textContent(), { timeout: 10_000 }).toContain(issued.body.number);
    expect(Number(await row.locator('.hq-waiting').textContent())).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'hq-branch');

    // Enrollment: a token shown once as a code and a QR, which really enrolls; then that device is revoked from the page.
    await page.getByRole('link', { name: 'Enrôlement' }).click();
    await page.getByLabel('Agence', { exact: true }).selectOption({ label: 'Paris Opéra' });
    await page.getByRole('button', { name: 'Créer' }).click();
    const code = (await page.locator('#hq-token-code').textContent())!;
    expect(await page.getByRole('img', { name: 'QR code du jeton d’enrôlement' }).count()).toBe(1);
    await screenshot(page, 'hq-enroll');
    const device = new RawDevice(cloud.url);
    expect((await device.enroll(code)).status).toBe(201);
    await page.reload();
    await page.locator('#hq-devices').waitFor();
    // Both appliances enrolled at Paris (the synthetic uploader and the one just enrolled) are revoked from the page.
    const revocable = page.locator('#hq-devices tr', { hasText: 'test branch' }).filter({ has: page.getByRole('button', { name: 'Révoquer' }) });
    expect(await revocable.count()).toBe(2);
    for (let i = 2; i > 0; i -= 1) {
      await revocable.first().getByRole('button', { name: 'Révoquer' }).click();
      await expect.poll(() => revocable.count(), { timeout: 10_000 }).toBe(i - 1);
    }
    expect((await device.signIn()).body.code).toBe('device-revoked');
    expect(await page.locator('#hq-devices tr', { hasText: 'Révoquée' }).count()).toBe(3);

    // Configuration: a service created at HQ shows as received once the branch has pulled it.
    await page.getByRole('link', { name: 'Configuration' }).click();
    await page.getByLabel('Nom', { exact: true }).fill('Assurance habitation');
    await page.getByLabel('SLA (secondes)').fill('420');
    await page.getByRole('button', { name: 'Créer' }).click();
    const received = page.locator('tr[data-service="Assurance habitation"] .hq-received');
    await expect.poll(() => received.getAttribute('data-received'), { timeout: 15_000 }).toBe('1');
    expect(await received.getAttribute('data-total')).toBe('1');
    expect(await received.textContent()).toBe('Reçu par toutes les agences');
    // Received means applied: the branch's own database has it.
    expect(t.server.deps.db.sqlite.prepare('SELECT sla_seconds FROM service WHERE name = ?').pluck().all('Assurance habitation')).toEqual([420]);
    await screenshot(page, 'hq-config');

    // Editing its SLA at HQ: the API's refusal shows under the field and changes nothing; a good value reaches the branch.
    await page.getByRole('button', { name: 'Modifier Assurance habitation' }).click();
    const dialog = page.getByRole('dialog', { name: 'Modifier Assurance habitation' });
    await dialog.getByLabel('SLA (secondes)').fill('90000');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => dialog.locator('.sq-field__error').textContent(), { timeout: 10_000 }).toMatch(/86400/);
    expect(await dialog.getByRole('alert').textContent()).toMatch(/^sla_seconds/);
    violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'hq-config-edit-refused');
    await dialog.getByLabel('SLA (secondes)').fill('600');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const edited = page.locator('tr[data-service="Assurance habitation"]');
    await expect.poll(() => edited.locator('.hq-sla').textContent(), { timeout: 10_000 }).toBe('600');
    await expect.poll(() => t.server.deps.db.sqlite.prepare('SELECT sla_seconds FROM service WHERE name = ?').pluck().all('Assurance habitation'), { timeout: 15_000 })
      .toEqual([600]);
    await expect.poll(() => received.getAttribute('data-received'), { timeout: 15_000 }).toBe('1');
    expect(await received.textContent()).toBe('Reçu par toutes les agences');

    // Opening hours are HQ's: closing Mondays here closes them at the branch after its next pull.
    await page.getByRole('tab', { name: 'Rendez-vous et horaires' }).click();
    const hours = page.getByRole('form', { name: "Horaires d'ouverture" });
    await hours.getByLabel('Agence', { exact: true }).selectOption(acme.siteId);
    await hours.getByLabel('Fermé').first().check();
    await hours.getByRole('button', { name: 'Enregistrer' }).click();
    await hours.getByText('Enregistré.').waitFor();
    await expect.poll(async () => (await t.api('GET', `/api/v1/tenants/acme/sites/${acme.siteId}/opening-hours/`, { token: branchToken })).body.weekly[0], { timeout: 15_000 }).toBeNull();

    // Message templates are HQ's too: an unknown {{variable}} is refused by name; a good one reaches the branch, then an edit.
    await page.getByRole('tab', { name: 'Modèles de notification' }).click();
    const newTemplate = page.getByRole('form', { name: 'Nouveau modèle' });
    await newTemplate.getByLabel('Clé').fill('ticket_ahead');
    await newTemplate.getByLabel('Texte').fill('Plus que {{position}} personnes, {{prenom}}');
    await newTemplate.getByRole('button', { name: 'Créer' }).click();
    await expect.poll(() => newTemplate.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/prenom/);
    await newTemplate.getByLabel('Texte').fill('Plus que {{position}} personnes devant vous ({{queue_name}}).');
    await newTemplate.getByRole('button', { name: 'Créer' }).click();
    const branchTemplate = () => t.server.deps.db.sqlite.prepare("SELECT body FROM notification_template WHERE key = 'ticket_ahead' AND channel = 'sms' AND language = 'fr'").pluck().all();
    await expect.poll(branchTemplate, { timeout: 15_000 }).toEqual(['Plus que {{position}} personnes devant vous ({{queue_name}}).']);
    await page.getByRole('button', { name: 'Modifier ticket_ahead · sms · fr' }).click();
    const templateDialog = page.getByRole('dialog', { name: 'Modifier ticket_ahead · sms · fr' });
    await templateDialog.getByLabel('Texte').fill('Votre tour approche : {{position}} devant vous.');
    await templateDialog.getByRole('button', { name: 'Enregistrer' }).click();
    await templateDialog.waitFor({ state: 'hidden' });
    await expect.poll(branchTemplate, { timeout: 15_000 }).toEqual(['Votre tour approche : {{position}} devant vous.']);
    await screenshot(page, 'hq-config-templates');

    // Staff are HQ's: a role changed here reaches the branch, and the row says received once it has.
    const hq = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    const khady = await hq.post('/api/v1/tenants/acme/members/', { email: 'khady.staff@acme.test', password: 'khady-password-123', role: 'agent', queue_ids: [queueA] });
    expect(khady.status, JSON.stringify(khady.body)).toBe(201);
    const branchRole = () => t.server.deps.db.sqlite.prepare('SELECT m.role FROM tenant_membership m JOIN "user" u ON u.id = m.user_id WHERE u.email = ?').pluck().all('khady.staff@acme.test');
    await expect.poll(branchRole, { timeout: 15_000 }).toEqual(['agent']);
    await page.getByRole('tab', { name: 'Personnel' }).click();
    await page.getByRole('button', { name: 'Modifier khady.staff@acme.test' }).click();
    const memberDialog = page.getByRole('dialog', { name: 'Modifier khady.staff@acme.test' });
    await memberDialog.getByLabel('Rôle').selectOption('manager');
    await memberDialog.getByRole('button', { name: 'Enregistrer' }).click();
    await memberDialog.waitFor({ state: 'hidden' });
    await expect.poll(branchRole, { timeout: 15_000 }).toEqual(['manager']);
    const memberReceived = page.locator('tr[data-member="khady.staff@acme.test"] .hq-received');
    await expect.poll(() => memberReceived.getAttribute('data-received'), { timeout: 15_000 }).toBe('1');

    // Analytics: the figures of a known history, whole and filtered, and the CSV is the chart.
    await page.getByRole('link', { name: 'Analyses' }).click();
    await page.getByLabel('Du', { exact: true }).fill(FIRST);
    await page.getByLabel('Au', { exact: true }).fill(LAST);
    await page.getByRole('button', { name: 'Appliquer' }).click();
    const all = expectedFigures(world, { from: FIRST, to: LAST });
    await expect.poll(() => page.locator('#kpi-arrivals dd').textContent(), { timeout: 10_000 }).toBe(String(all.arrivals));
    expect(await page.locator('#kpi-served dd').textContent()).toBe(String(all.served));
    await page.getByLabel('Agence', { exact: true }).selectOption({ label: 'Paris Opéra' });
    await page.getByRole('button', { name: 'Appliquer' }).click();
    const paris = expectedFigures(world, { from: FIRST, to: LAST, site: world.sites[1]!.id });
    expect(paris.arrivals).toBeLessThan(all.arrivals);
    await expect.poll(() => page.locator('#kpi-arrivals dd').textContent(), { timeout: 10_000 }).toBe(String(paris.arrivals));
    expect(await page.locator('#kpi-served dd').textContent()).toBe(String(paris.served));
    // The API rounds the rate to 4 decimals, the page shows it as a percentage with one.
    expect(await page.locator('#kpi-sla dd').textContent()).toBe(`${Math.round((Math.round((paris.sla_met / paris.called) * 10_000) / 10_000) * 1000) / 10} %`);
    const bars = await page.locator('#hq-daily rect.hq-bar').evaluateAll((rects) => rects.map((r) => [r.getAttribute('data-label'), Number(r.getAttribute('data-value'))]));
    expect(new Map(bars.filter(([, v]) => (v as number) > 0) as [string, number][])).toEqual(paris.perDay);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter « Tendance quotidienne » en CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/).map((line) => line.split(','));
    expect(csv[0]!.slice(0, 2)).toEqual(['day', 'arrivals']);
    expect(csv.slice(1).map((r) => [r[0], Number(r[1])])).toEqual(bars);
    violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'hq-analytics');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('heading', { name: `Rapport du ${FIRST} au ${LAST}` }).isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Navigation' }).isVisible()).toBe(false);
    await screenshot(page, 'hq-analytics-print');
    await page.emulateMedia({ media: 'screen' });

    // Audit: the chains verify; a row altered in the cloud is reported as the first broken link.
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('button', { name: 'Vérifier les chaînes' }).click();
    await expect.poll(() => page.locator('#hq-verify .sq-banner').textContent(), { timeout: 10_000 }).toMatch(/^Toutes les chaînes sont intactes/);
    const victim = await sql<{ id: string; branch_seq: number; action: string }>`SELECT id, branch_seq, action FROM audit_log
      WHERE tenant_id = ${acme.tenantId}::uuid ORDER BY branch_seq LIMIT 1`.execute(cloud.db.db);
    const target = victim.rows[0]!;
    await sql`UPDATE audit_log SET data = jsonb_set(data, '{ip}', '"203.0.113.66"') WHERE id = ${target.id}::uuid`.execute(cloud.db.db);
    await page.getByRole('button', { name: 'Vérifier les chaînes' }).click();
    await expect.poll(() => page.locator('#hq-verify .sq-banner').textContent(), { timeout: 10_000 })
      .toBe(`Une chaîne est rompue : première rupture à la ligne ${target.branch_seq}.`);
    expect(await page.locator('#hq-verify li[data-ok="false"]').textContent()).toContain(`Chaîne rompue à la ligne ${target.branch_seq} (${target.id}) : hash does not match the row content`);
    const before = await page.locator('#hq-audit tbody tr').count();
    await page.getByLabel('Action').fill(target.action);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await expect.poll(async () => new Set(await page.locator('#hq-audit tbody th').allTextContents()), { timeout: 10_000 }).toEqual(new Set([target.action]));
    expect(before).toBeGreaterThan(0);
    await screenshot(page, 'hq-audit');
    await context.close();
  }, 120_000);

  it('an analyst reads but cannot configure; a tenant admin sees only their tenant; a super-admin lists tenants', async () => {
    const admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    expect((await admin.post('/api/v1/tenants/acme/members/', { email: 'ana@acme.test', password: 'analyst-password', role: 'analyst' })).status).toBe(201);
    const { context, page } = await newPage(browser, 'desk');
    await signInHq(page, 'ana@acme.test', 'analyst-password', '#/config');
    await page.getByRole('status').filter({ hasText: 'Lecture seule' }).waitFor();
    expect(await page.getByRole('button', { name: 'Créer' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Enrôlement' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await screenshot(page, 'hq-config-analyst');
    // Customers: an analyst finds them but neither exports nor erases a person's data.
    await admin.post('/api/v1/tenants/acme/customers/', { first_name: 'Rokhaya', last_name: 'Ba', phone: '+221770000203' });
    await page.getByRole('link', { name: 'Clients' }).click();
    await expect.poll(() => page.locator('#hq-customers [data-customer]').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: /^(Exporter|Effacer)/ }).count()).toBe(0);
    await context.close();

    const other = await newPage(browser, 'desk');
    await signInHq(other.page, globex.adminEmail, globex.adminPassword);
    await other.page.locator('#hq-branches').waitFor();
    expect(await other.page.locator('#hq-branches tbody th').allTextContents()).toEqual(['globex main']);
    expect(await other.page.locator('.mg-top__tenant').textContent()).toBe('globex');
    await other.context.close();

    const root = await seedSuperAdmin(cloud);
    const su = await newPage(browser, 'desk');
    await signInHq(su.page, root.email, root.password);
    await su.page.getByRole('button', { name: /acme/ }).click();
    await su.page.getByRole('button', { name: 'العربية' }).click();
    await su.page.getByRole('link', { name: 'المؤسسات' }).click();
    await su.page.locator('table').waitFor();
    expect(await su.page.locator('html').getAttribute('dir')).toBe('rtl');
    // The table may show before its rows have loaded: wait for them.
    await expect.poll(async () => (await su.page.locator('tbody th').allTextContents()).sort(), { timeout: 10_000 }).toEqual(['Platform', 'acme', 'globex']);
    await screenshot(su.page, 'hq-tenants-ar');
    await su.context.close();
  }, 60_000);

  it('finds a customer, downloads what HQ holds on them, and erases them once their name is typed', async () => {
    const admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    const C = '/api/v1/tenants/acme/customers';
    const khady = (await admin.post(`${C}/`, { first_name: 'Khady', last_name: 'Sarr', phone: '+221770000201', consents: { sms: { granted: true, channel: 'kiosk', at: '2026-11-01T09:00:00.000Z' } } })).body;
    await admin.post(`${C}/`, { first_name: 'Modou', last_name: 'Sarr', phone: '+221770000202' });
    const { context, page } = await newPage(browser, 'desk');
    await signInHq(page, acme.adminEmail, acme.adminPassword, '#/customers');
    await page.getByRole('searchbox', { name: 'Rechercher un client' }).fill('khady');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-customer]').count()).toBe(1);
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter les données de Khady Sarr (JSON)' }).click()]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported).toMatchObject({ customer: { id: khady.id, phone: '+221770000201' }, consents: { sms: { channel: 'kiosk' } } });

    await page.getByRole('button', { name: 'Effacer Khady Sarr…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Effacer Khady Sarr ?' });
    const typed = dialog.getByLabel('Pour confirmer, saisissez « Khady Sarr »');
    const erase = dialog.getByRole('button', { name: 'Effacer définitivement' });
    await typed.fill('Modou Sarr');
    expect(await erase.isDisabled()).toBe(true);
    await typed.fill('khady sarr');
    await screenshot(page, 'hq-customer-erase-fr');
    await erase.click();
    await expect.poll(() => page.locator('[data-customer]').count()).toBe(0);
    expect((await admin.get(`${C}/${khady.id}/`)).status).toBe(404);
    expect((await admin.get(`${C}/?search=modou`)).body.count).toBe(1);
    await context.close();
  });
});
