import type { Page } from 'playwright-core';

/** Signs in through the manager console's login form, as a person would, and waits for the console. */
export async function signIn(page: Page, url: string, email: string, password: string, hash = '#/board'): Promise<void> {
  await page.goto(`${url}/manager${hash}`);
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.locator('nav.mg-nav').waitFor();
}

/** The error shown under the form field with this label. */
export const fieldError = (page: Page, label: string) =>
  page.locator('.sq-field', { has: page.getByLabel(label, { exact: true }) }).locator('.sq-field__error');
