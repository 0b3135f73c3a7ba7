import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeScan, describeViolations, newPage, screenshot, type VIEWPORTS } from '../helpers/browser.ts';
import { pairNewDevice, type PairedDevice } from '../helpers/pairing.ts';
import type { DemoTenant, TestServer } from '../helpers/server.ts';

/** Configures a kiosk offering the three demo services (A, B, C), as an admin would in the console. */
export async function createKiosk(t: TestServer, d: DemoTenant, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, {
    token: d.adminToken, body: { name: 'Borne entrée', queue_ids: d.demo.queues.map((q) => q.id), ...extra },
  });
  if (res.status !== 201) throw new Error(`kiosk creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** The provisioning link an admin would open on the kiosk: the key travels in the fragment only. */
export function provisioningUrl(t: TestServer, d: DemoTenant, kioskId: string, device: PairedDevice, query = ''): string {
  const fragment = new URLSearchParams({ key: device.key, tenant: d.slug, device: device.id, type: 'kiosk', kiosk: kioskId });
  return `${t.url}/kiosk${query}#${fragment.toString()}`;
}

/** A page of a freshly paired kiosk device, opened through its provisioning link. */
export async function openKiosk(
  browser: Browser, t: TestServer, d: DemoTenant, kioskId: string,
  options: { query?: string; viewport?: keyof typeof VIEWPORTS } = {},
) {
  const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kioskId });
  const { context, page } = await newPage(browser, options.viewport ?? 'kiosk');
  await page.goto(provisioningUrl(t, d, kioskId, device, options.query ?? ''));
  return { context, page, device };
}

export function onScreen(page: Page, name: string) {
  return page.locator(`.kiosk[data-screen="${name}"]`).waitFor({ timeout: 5000 });
}

/** Types on the on-screen keypad, key by key, as a customer would. */
export async function tapKeys(page: Page, text: string): Promise<void> {
  for (const ch of text) await page.locator('.kiosk-keypad').getByRole('button', { name: ch, exact: true }).click();
}

export async function waitingTileCount(page: Page, queueId: string): Promise<string | null> {
  return page.locator(`[data-queue="${queueId}"] [data-waiting]`).getAttribute('data-waiting');
}

export const LANGUAGE_NAMES = { fr: 'Français', en: 'English', ar: 'العربية' } as const;

/** No axe WCAG 2.1 AA violation, nothing wider than the screen, and a screenshot to look at. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  const violations = await axeScan(page);
  expect(violations, `${name}\n${describeViolations(violations)}`).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${name} overflows sideways`).toBe(true);
  await screenshot(page, name);
}
