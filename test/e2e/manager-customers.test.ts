import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';
import { signIn } from './manager-helpers.ts';

describe('manager console: customer data rights', { timeout: 60_000 }, () => {
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

  it('finds a customer with the keyboard, shows their consents, downloads their data and erases them only once their name is typed', async () => {
    const C = `/api/v1/tenants/${d.slug}/customers`;
    const customer = (await t.api('POST', `${C}/`, { token: d.adminToken, body: { first_name: 'Aminata', last_name: 'Sow', phone: '+221770001122' } })).body;
    const other = (await t.api('POST', `${C}/`, { token: d.adminToken, body: { first_name: 'Ousmane', last_name: 'Sow', phone: '+221770003344' } })).body;
    await t.api('POST', `${C}/${customer.id}/consents/`, { token: d.adminToken, body: { purpose: 'sms', granted: true, channel: 'kiosk' } });
    await t.api('POST', `${C}/${customer.id}/consents/`, { token: d.adminToken, body: { purpose: 'marketing', granted: false, channel: 'counter' } });

    const { context, page } = await newPage(browser, 'desk');
    await signIn(page, t.url, d.adminEmail, ADMIN_PASSWORD, '#/customers');
    await page.getByRole('searchbox', { name: 'Rechercher un client' }).fill('aminata');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-customer]').count()).toBe(1);
    await page.getByRole('button', { name: 'Ouvrir la fiche de Aminata Sow' }).press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Données de Aminata Sow');
    const consents = page.getByTestId('consents');
    await expect.poll(() => consents.locator('[data-consent]').count()).toBe(2);
    expect(await consents.locator('[data-consent="sms"]').textContent()).toMatch(/SMS.*Donné.*Borne/);
    expect(await consents.locator('[data-consent="marketing"]').textContent()).toMatch(/Prospection.*Retiré.*Guichet/);
    const violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter (JSON)' }).click()]);
    expect(download.suggestedFilename()).toBe(`customer-${customer.id}.json`);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.customer).toMatchObject({ id: customer.id, phone: '+221770001122' });
    expect(exported.consents.map((c: { purpose: string; channel: string }) => `${c.purpose}/${c.channel}`)).toEqual(['sms/kiosk', 'marketing/counter']);

    await page.getByRole('button', { name: 'Effacer…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Effacer Aminata Sow ?' });
    expect(await dialog.textContent()).toContain('définitif');
    const erase = dialog.getByRole('button', { name: 'Effacer définitivement' });
    expect(await erase.isDisabled()).toBe(true);
    const typed = dialog.getByLabel('Pour confirmer, saisissez « Aminata Sow »');
    await typed.fill('Ousmane Sow');
    expect(await dialog.locator('.sq-field__error').textContent()).toBe('Le texte saisi ne correspond pas.');
    expect(await erase.isDisabled()).toBe(true);
    await screenshot(page, 'manager-customer-erase-fr');
    await typed.fill('aminata  sow');
    await typed.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Client effacé.' }).count()).toBe(1);
    expect((await t.api('GET', `${C}/${customer.id}/`, { token: d.adminToken })).status).toBe(404);
    expect((await t.api('GET', `${C}/${other.id}/`, { token: d.adminToken })).status).toBe(200);
    await expect.poll(() => page.locator('[data-customer]').count()).toBe(0);
    await context.close();
  });
});
