import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { signIn } from './manager-helpers.ts';

describe('manager console: customer messages and webhooks', { timeout: 60_000 }, () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestServer({ notifications: { runner: { pollMs: 50 }, scanMs: 100 } });
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
  });

  it('subscribes a receiver, shows the secret once, and redelivers an event the receiver missed', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD, '#/webhooks');
    await page.getByRole('button', { name: 'Nouvel abonnement' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nouvel abonnement' });
    await dialog.getByLabel('Adresse de réception').fill(receiver.url);
    await dialog.getByLabel('ticket.created').check();
    await dialog.getByRole('button', { name: 'Créer' }).click();
    const secret = await page.locator('[data-webhook-secret]').textContent();
    expect(secret).toMatch(/^whsec_/);
    receiver.setSecret(secret!);
    await expect.poll(() => page.locator('[data-webhook]').count()).toBe(1);

    // The receiver is down: the event waits in the log.
    receiver.failNext(1000);
    const ticket = (await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id } })).body;
    await expect.poll(async () => (await t.api('GET', `/api/v1/tenants/${d.slug}/webhooks/deliveries/`, { token: d.adminToken })).body.results[0]?.attempts ?? 0).toBeGreaterThan(0);
    await page.reload();
    const row = page.locator('[data-delivery]').filter({ hasText: 'ticket.created' });
    await expect.poll(() => row.getByText('En attente').count()).toBe(1);
    expect(await row.textContent()).toContain('500');
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'manager-webhooks-fr');

    // Back up: the manager sends it again from the log.
    receiver.failNext(0);
    await row.getByRole('button', { name: /^Renvoyer ticket\.created/ }).click();
    await expect.poll(() => receiver.received.filter((r) => r.event === 'ticket.created').length).toBe(1);
    expect(receiver.received[0]!.body.data.ticket.id).toBe(ticket.id);
    await page.reload();
    await expect.poll(() => page.locator('[data-delivery]').filter({ hasText: 'ticket.created' }).getByText('Livré').count()).toBe(1);
    await context.close();
  });

  it('adds a provider whose token is never shown again, and saves the sending rules', async () => {
    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD, '#/notifications');
    await page.getByRole('button', { name: 'Ajouter un fournisseur' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ajouter un fournisseur' });
    await dialog.getByLabel('Account SID').fill(`AC${'c0'.repeat(16)}`);
    await dialog.getByLabel('Auth token').fill('very-secret-token');
    await dialog.getByLabel('Expéditeur').fill('12');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => dialog.locator('.sq-field__error').first().textContent()).toContain('E.164');
    await dialog.getByLabel('Expéditeur').fill('+221330000000');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    const row = page.locator('[data-provider="twilio"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('auth_token: ••••');
    expect(await page.content()).not.toContain('very-secret-token');

    await page.getByLabel('Messages au plus par ticket').fill('3');
    await page.getByLabel(/^Silence à partir de/).fill('21:00');
    await page.getByLabel(/^Silence jusqu’à/).fill('07:30');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await expect.poll(async () => (await t.api('GET', `/api/v1/tenants/${d.slug}/notifications/settings/`, { token: d.adminToken })).body)
      .toMatchObject({ max_per_ticket: 3, quiet_hours: [{ site: d.demo.siteId, start: '21:00', end: '07:30' }] });
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'manager-notifications-fr');
    await context.close();
  });
});
