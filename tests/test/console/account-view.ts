import type { Page } from 'playwright-core';
import { until } from '../../src/wait.js';

/** The texts of a region's list items, each item's paragraphs and spans flattened to one line. */
async function itemsOf(page: Page, region: string | RegExp): Promise<string[]> {
  const section = page.getByRole('region', { name: region });
  if ((await section.count()) === 0) return [];
  // innerText, not textContent: the rendered lines, as a person reads them.
  const texts = await section.getByRole('listitem').allInnerTexts();
  return texts.map((text) => text.replace(/\s*\n+\s*/g, ' | '));
}

/** What the account page shows, read the way a person reads it (headings, list items, alerts). */
export async function accountView(page: Page) {
  await page.getByRole('heading', { level: 1 }).waitFor();
  // Each section shows "Loading…" until its GET is answered. (Not waitForFunction with a string: the
  // page's CSP forbids the eval it would need.)
  await until('the account page to load', async () => (await page.locator('.loading').count()) === 0);
  const alerts = (await page.getByRole('alert').allInnerTexts()).map((t) => t.trim()).filter((t) => t !== '');
  const status = await page
    .getByRole('status')
    .evaluateAll((els) => els.map((el) => el.textContent).join(''));
  return {
    heading: await page.getByRole('heading', { level: 1 }).textContent(),
    name: await page.locator('.profile .title').textContent(),
    identities: await itemsOf(page, /^(Your identities|您的身份)$/),
    merges: await itemsOf(page, /^(Merged accounts|已合并的账户)$/),
    activity: await page.locator('.audit .title').allTextContents(),
    alerts,
    status,
  };
}

/** A card's first line: "<provider badge> <name>", for the identities list. */
export async function identityNames(page: Page): Promise<string[]> {
  return page.locator('.identity .title').allTextContents();
}
