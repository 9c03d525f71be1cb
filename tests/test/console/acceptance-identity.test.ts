import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  choosePersonAtProvider,
  launchChromium,
  type RunningChromium,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { accountView, identityNames } from './account-view.js';
import { type ConsoleApi, startConsoleApi } from './console-api.js';

async function me(page: Page): Promise<{ id: string; display_name: string }> {
  return page.evaluate("fetch('/v1/me').then((r) => r.json())");
}

/**
 * Issue 11's acceptance run, as a person does it in Chromium against the real API and the simulated
 * providers: WeChat-style first (the account is created), link Google-like, sign out, come back with
 * Google-like to the same account, unlink one identity, and be refused the last.
 */
describe('one account from two existing identities, in Chromium', () => {
  let api: ConsoleApi;
  let chromium: RunningChromium;
  let page: Page;
  let accountId = '';

  beforeAll(async () => {
    api = await startConsoleApi();
    chromium = await launchChromium({ locale: 'zh-CN' });
    page = chromium.page;
  });
  afterAll(async () => {
    await chromium?.close();
    await api?.close();
  });

  it('creates the account on the first sign-in with the WeChat-style provider, with no form', async () => {
    const accounts = await api.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    await signInThroughConsole(page, api.url, 'wechat', '李伟');
    const view = await accountView(page);
    expect(view.heading).toBe('您的账户');
    expect(view.name).toBe('李伟');
    expect(await identityNames(page)).toEqual(['WeChat-style (demo) 李伟']);
    const after = await api.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    expect(after.rows[0]!.n).toBe(accounts.rows[0]!.n + 1);
    accountId = (await me(page)).id;
    expect(accountId).toMatch(/^acct_/);
  });

  it('links the Google-like identity of the same person', async () => {
    await page.getByLabel('身份提供方').selectOption({ label: 'Google-like (demo)' });
    await page.getByRole('button', { name: '继续', exact: true }).click();
    await choosePersonAtProvider(page, 'Li Wei');
    await page.waitForURL(`${api.url}/account`);
    await accountView(page);
    expect(await identityNames(page)).toEqual(['WeChat-style (demo) 李伟', 'Google-like (demo) Li Wei']);
  });

  it('signs out, then signs in with the Google-like identity and lands on the same account', async () => {
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(`${api.url}/signin`);
    await signInThroughConsole(page, api.url, 'google', 'Li Wei');
    await accountView(page);
    expect((await me(page)).id).toBe(accountId);
    expect(await identityNames(page)).toEqual(['WeChat-style (demo) 李伟', 'Google-like (demo) Li Wei']);
  });

  it('unlinks the WeChat-style identity, then refuses to unlink the last one', async () => {
    await page.getByRole('button', { name: /WeChat-style \(demo\).*李伟/ }).click();
    await expect.poll(() => identityNames(page)).toEqual(['Google-like (demo) Li Wei']);
    await page.getByRole('button', { name: /Google-like \(demo\).*Li Wei/ }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'API_ERR_LAST_IDENTITY' });
    await alert.waitFor();
    expect(await identityNames(page)).toEqual(['Google-like (demo) Li Wei']);
    const { rows } = await api.db.query<{ provider: string }>(
      'SELECT provider FROM identities WHERE account_id = $1',
      [accountId],
    );
    expect(rows.map((r) => r.provider)).toEqual(['google']);
  });
});
