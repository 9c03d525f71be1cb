import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  choosePersonAtProvider,
  launchChromium,
  type RunningChromium,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { accountView, identityNames } from './account-view.js';
import { type ConsoleApi, startConsoleApi } from './console-api.js';

const DATE = String.raw`[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M`;

async function accountId(page: Page): Promise<string> {
  const text = await page.getByText(/^Account ID: /).textContent();
  return text!.replace('Account ID: ', '');
}

/**
 * Li Wei has two Linkwell accounts: one from signing in with WeChat, one from Google. Linking the WeChat
 * identity while signed in to the Google one finds it in use, and the page offers to merge.
 */
describe('merging and un-merging two accounts on the account page', () => {
  let api: ConsoleApi;
  let chromium: RunningChromium;
  let page: Page;
  let wechatAccount: string;
  let googleAccount: string;
  beforeAll(async () => {
    api = await startConsoleApi();
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    await signInThroughConsole(page, api.url, 'wechat', '李伟');
    await accountView(page);
    wechatAccount = await accountId(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api.url}/signin`);
    await signInThroughConsole(page, api.url, 'google', 'Li Wei');
    await accountView(page);
    googleAccount = await accountId(page);
  });
  afterAll(async () => {
    await chromium?.close();
    await api?.close();
  });

  it('offers a merge after linking the WeChat identity that the other account owns', async () => {
    expect(googleAccount).not.toBe(wechatAccount);
    await page.getByLabel('Provider').selectOption({ label: 'WeChat-style (demo)' });
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await choosePersonAtProvider(page, '李伟');
    await page.waitForURL(/\/account\?error=API_ERR_IDENTITY_IN_USE&merge_offer=[^&]+$/);
    const offer = page.getByRole('region', { name: 'Merge the other account into this one?' });
    // The offer renders after the page's own fetch; read its buttons once they are there.
    await offer.getByRole('button', { name: 'Not now' }).waitFor();
    expect(await offer.getByRole('button').allTextContents()).toEqual(['Merge into this account', 'Not now']);
    expect((await accountView(page)).alerts).toEqual([]);
    expect(await checkA11y(page)).toEqual([]);
  });

  it('merges on confirmation: the WeChat identity moves here and the merge is listed with Undo', async () => {
    await page.getByRole('button', { name: 'Merge into this account' }).click();
    await expect
      .poll(() => identityNames(page))
      .toEqual(['WeChat-style (demo) 李伟', 'Google-like (demo) Li Wei']);
    const view = await accountView(page);
    expect(view.status).toMatch(
      new RegExp(`^The accounts were merged\\. You can undo this until ${DATE}\\.$`),
    );
    expect(view.merges).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Account ${wechatAccount}, merged ${DATE} \\| You can undo this until ${DATE}\\. \\| Undo merge$`,
        ),
      ),
    ]);
    expect(view.activity[0]).toBe('Merged another account');
    expect(new URL(page.url()).search).toBe('');
  });

  it('undoes the merge: the WeChat identity goes back and the merge shows when it was undone', async () => {
    await page.getByRole('button', { name: `Undo merge of account ${wechatAccount}` }).click();
    await expect.poll(() => identityNames(page)).toEqual(['Google-like (demo) Li Wei']);
    const view = await accountView(page);
    expect(view.status).toBe('The merge was undone.');
    expect(view.merges).toEqual([
      expect.stringMatching(new RegExp(`^Account ${wechatAccount}, merged ${DATE} \\| Undone ${DATE}$`)),
    ]);
    expect(view.activity[0]).toBe('Undid a merge');
  });

  it('lets the other account sign in with WeChat again after the undo', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api.url}/signin`);
    await signInThroughConsole(page, api.url, 'wechat', '李伟');
    await accountView(page);
    expect(await accountId(page)).toBe(wechatAccount);
    expect(await identityNames(page)).toEqual(['WeChat-style (demo) 李伟']);
  });
});
