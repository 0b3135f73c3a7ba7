import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, describeViolations, launchBrowser, newPage, screenshot } from '../helpers/browser.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../helpers/server.ts';

const LABELS = {
  fr: { email: 'Adresse e-mail', password: 'Mot de passe', signIn: 'Se connecter', open: 'Ouvrir le guichet', transfer: 'Transférer le ticket' },
  en: { email: 'E-mail address', password: 'Password', signIn: 'Sign in', open: 'Open the counter', transfer: 'Transfer ticket' },
  ar: { email: 'البريد الإلكتروني', password: 'كلمة المرور', signIn: 'تسجيل الدخول', open: 'فتح الشباك', transfer: 'تحويل التذكرة' },
} as const;

describe('agent desk /agent: accessibility and screenshots in fr, en and ar', () => {
  let t: TestServer;
  let d: DemoTenant;
  let browser: Browser;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const issue = async (queueIndex: number, extra: Record<string, unknown> = {}) =>
    (await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[queueIndex]!.id, ...extra } })).body;

  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
    browser = await launchBrowser();
    // A known customer with notes and a past visit, as an agent would meet them.
    const awa = d.demo.customers[0]!;
    await t.api('PATCH', `${base()}/customers/${awa}/`, {
      token: d.adminToken, body: { tags: ['vip'], metadata: { notes: 'Préfère être servie en wolof. Dossier de prêt immobilier en cours.' } },
    });
    const past = await issue(2, { customer: awa });
    await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[2], body: {} });
    await t.api('POST', `${base()}/tickets/${past.id}/start_service/`, { token: d.agentTokens[2] });
    await t.api('POST', `${base()}/tickets/${past.id}/close/`, { token: d.agentTokens[2] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(['fr', 'en', 'ar'] as const)('passes axe WCAG 2.1 AA on the login page and the desk in %s, right-to-left in Arabic', async (lang) => {
    const l = LABELS[lang];
    await issue(0, { customer: d.demo.customers[0] });
    await issue(1, { customer_name: 'Fatou Sall', priority: 2 });
    await issue(2, { customer_name: 'Ibrahima Fall' });
    await issue(2, { customer_name: 'Khady Ndiaye', customer_phone: '+221 77 555 12 34' });

    const { context, page } = await newPage(browser, 'desk');
    await page.addInitScript((code) => localStorage.setItem('smartqueue.lang', code), lang);
    await page.goto(`${t.url}/agent`);
    await page.getByLabel(l.email).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe(lang === 'ar' ? 'rtl' : 'ltr');
    let violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, `agent-login-${lang}`);

    await page.getByLabel(l.email).fill(d.demo.agents[0]!.email);
    await page.getByLabel(l.password).fill(d.demo.agents[0]!.password);
    await page.getByRole('button', { name: l.signIn }).click();
    await page.getByRole('button', { name: l.open }).waitFor();
    violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, `agent-setup-${lang}`);
    await page.getByRole('button', { name: l.open }).click();

    await page.getByTestId('waiting-list').locator('tbody tr').first().waitFor();
    await page.locator('#call-filter').selectOption(d.demo.queues[0]!.id);
    await page.locator('#call-filter').blur();
    await page.keyboard.press('n');
    await page.getByTestId('explanation').waitFor();
    await page.getByTestId('customer-card').locator('.desk-history li').first().waitFor();
    // The desk fits the counter screen: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1440);
    expect(await page.evaluate(() => document.querySelector('.desk-top')!.getBoundingClientRect().height), 'header on one line').toBeLessThan(80);
    violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, `agent-desk-${lang}`);

    await page.keyboard.press('t');
    await page.getByRole('dialog', { name: new RegExp(l.transfer) }).waitFor();
    violations = await axeScan(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, `agent-transfer-${lang}`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await expect.poll(() => page.getByTestId('current-number').count()).toBe(0);
    await context.close();
  });
});
