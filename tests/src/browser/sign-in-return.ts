import type { Page } from 'playwright-core';
import { until } from '../wait.js';
import { choosePersonAtProvider } from './sign-in.js';

/**
 * Opens a console page that needs a session while signed out, as someone following a link does (an
 * invite, a gateway's /activate?user_code=): the console sends them to /signin?return_to=…, they sign in
 * at the provider, and land back on `path` with its query intact. Resolves once they are back.
 */
export async function signInOnTheWay(
  page: Page,
  consoleUrl: string,
  path: string,
  providerId: string,
  personName: string,
): Promise<void> {
  await page.goto(`${consoleUrl}${path}`);
  await page.waitForURL(`${consoleUrl}/signin?return_to=${encodeURIComponent(path)}`);
  const back = page.waitForURL(`${consoleUrl}${path}`);
  await page.locator(`a[href^="/v1/auth/${providerId}/start"]`).click();
  await choosePersonAtProvider(page, personName);
  await back;
}

/** GETs an API path with the page's own session cookie, as the console does. */
export async function apiGet<T>(page: Page, path: string): Promise<T> {
  return page.evaluate<T>(`fetch(${JSON.stringify(path)}).then((r) => r.json())`);
}

/** The page has its heading and no section still shows "Loading…". */
export async function settled(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1 }).waitFor();
  // Not waitForFunction with a string: the console's CSP forbids the eval it would need.
  await until('the page to load', async () => (await page.locator('.loading').count()) === 0);
}
