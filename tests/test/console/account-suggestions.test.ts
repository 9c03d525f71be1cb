import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  choosePersonAtProvider,
  launchChromium,
  type RunningChromium,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { accountView } from './account-view.js';
import { type ConsoleApi, startConsoleApi } from './console-api.js';

const DATE = String.raw`[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M`;
const SUGGESTIONS = 'Other accounts that may be yours';

async function suggestions(page: Page): Promise<string[]> {
  const region = page.getByRole('region', { name: SUGGESTIONS });
  if ((await region.count()) === 0) return [];
  return (await region.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s*\n+\s*/g, ' | '));
}

/**
 * Alex Morgan has a Google-like account and signs in with a work identity at a provider that vouches for
 * the same e-mail address: the new account is told about the old one, and following the advice merges.
 */
describe('link suggestions on the account page', () => {
  let api: ConsoleApi;
  let chromium: RunningChromium;
  let page: Page;
  beforeAll(async () => {
    api = await startConsoleApi({
      mailPeople: [
        {
          id: 'alex-work',
          name: 'Alex Morgan (work)',
          email: 'alex.morgan@example.com',
          email_verified: true,
        },
      ],
    });
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    await signInThroughConsole(page, api.url, 'google', 'Alex Morgan');
    await accountView(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api.url}/signin`);
  });
  afterAll(async () => {
    await chromium?.close();
    await api?.close();
  });

  it('shows the Google-like account as a suggestion with the way to merge it', async () => {
    await signInThroughConsole(page, api.url, 'mail', 'Alex Morgan (work)');
    await accountView(page);
    // GET /v1/me/link-suggestions does not send provider_display_names yet, so the page names no provider;
    // once it does, this reads "An account that signs in with Google-like (demo)".
    expect(await suggestions(page)).toEqual([
      expect.stringMatching(new RegExp(`^Another Linkwell account \\| Noticed ${DATE}$`)),
    ]);
    const region = page.getByRole('region', { name: SUGGESTIONS });
    expect(await region.locator('p').first().textContent()).toBe(
      'Linkwell noticed other accounts that may belong to you. To combine one with this account, use “Link another identity” and sign in with that account’s identity: Linkwell then offers to merge the two.',
    );
    expect(await checkA11y(page)).toEqual([]);
  });

  it('drops the suggestion once the person follows it and merges', async () => {
    await page.getByLabel('Provider').selectOption({ label: 'Google-like (demo)' });
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await choosePersonAtProvider(page, 'Alex Morgan');
    await page.waitForURL(/\/account\?error=API_ERR_IDENTITY_IN_USE&merge_offer=/);
    await page.getByRole('button', { name: 'Merge into this account' }).click();
    await expect.poll(() => suggestions(page)).toEqual([]);
    expect((await accountView(page)).activity[0]).toBe('Merged another account');
  });
});
