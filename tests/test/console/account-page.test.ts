import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  choosePersonAtProvider,
  horizontalOverflow,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { accountView, identityNames } from './account-view.js';
import { type ConsoleApi, startConsoleApi } from './console-api.js';

// "Dec 7, 2026, 8:20 AM" in English (the browser runs in UTC).
const DATE = String.raw`[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M`;
const match = (pattern: string) => expect.stringMatching(new RegExp(`^${pattern}$`));

async function linkAnother(page: Page, providerLabel: string, personName: string): Promise<void> {
  await page.getByLabel('Provider').selectOption({ label: providerLabel });
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await choosePersonAtProvider(page, personName);
}

async function session(page: Page): Promise<{ signed_in: boolean }> {
  return page.evaluate("fetch('/v1/auth/session').then((r) => r.json())");
}

describe('the account page in Chromium, against the real identity API', () => {
  let api: ConsoleApi;
  let chromium: RunningChromium;
  let page: Page;
  let log: PageLog;
  beforeAll(async () => {
    api = await startConsoleApi();
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    log = recordPageLog(page);
  });
  afterAll(async () => {
    await chromium?.close();
    await api?.close();
  });

  it.each(['/account', '/'])('sends a visitor who is not signed in from %s to /signin', async (path) => {
    await page.goto(`${api.url}${path}`);
    await page.waitForURL(`${api.url}/signin`);
  });

  it('shows Alex Morgan’s account, identity and activity after signing in with the Google-like provider', async () => {
    await signInThroughConsole(page, api.url, 'google', 'Alex Morgan');
    expect(await accountView(page)).toEqual({
      heading: 'Your account',
      name: 'Alex Morgan',
      identities: [
        match(
          `Google-like \\(demo\\) Alex Morgan \\| alex\\.morgan@example\\.com \\(verified\\) \\| Linked ${DATE} · Last used ${DATE} \\| Unlink`,
        ),
      ],
      merges: [],
      activity: expect.arrayContaining(['Account created', 'Signed in']),
      alerts: [],
      status: '',
    });
  });

  it('sends a signed-in visitor of / to /account', async () => {
    await page.goto(`${api.url}/`);
    await page.waitForURL(`${api.url}/account`);
  });

  it('refuses to unlink the only identity with a clear message (API_ERR_LAST_IDENTITY)', async () => {
    await page.getByRole('button', { name: 'Unlink Google-like (demo) identity Alex Morgan' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'API_ERR_LAST_IDENTITY' });
    expect(await alert.allInnerTexts()).toEqual([
      'This is your only identity, so it cannot be unlinked: you would no longer be able to sign in. Link another identity first.\nError code: API_ERR_LAST_IDENTITY',
    ]);
    expect(await identityNames(page)).toEqual(['Google-like (demo) Alex Morgan']);
  });

  it('links Sam Taylor’s Apple-like identity through "Link another identity"', async () => {
    await linkAnother(page, 'Apple-like (demo)', 'Sam Taylor');
    await page.waitForURL(`${api.url}/account`);
    const view = await accountView(page);
    expect(await identityNames(page)).toEqual([
      'Google-like (demo) Alex Morgan',
      'Apple-like (demo) Sam Taylor',
    ]);
    expect(view.activity[0]).toBe('Linked an identity');
    expect(view.alerts).toEqual([]);
  });

  it('asks "Confirm it’s you" for an unlink six minutes later, with a button per linked provider', async () => {
    api.advance(6 * 60_000);
    await page.getByRole('button', { name: 'Unlink Apple-like (demo) identity Sam Taylor' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.waitFor();
    expect(await dialog.getByRole('button').allTextContents()).toEqual([
      'Continue with Google-like (demo)',
      'Continue with Apple-like (demo)',
      'Cancel',
    ]);
    expect(await checkA11y(page)).toEqual([]);
  });

  it('unlinks the identity after confirming with the Google-like provider', async () => {
    await page.getByRole('dialog').getByRole('button', { name: 'Continue with Google-like (demo)' }).click();
    await choosePersonAtProvider(page, 'Alex Morgan');
    await page.waitForURL(`${api.url}/account`);
    await accountView(page);
    await page.getByRole('button', { name: 'Unlink Apple-like (demo) identity Sam Taylor' }).click();
    await expect.poll(() => identityNames(page)).toEqual(['Google-like (demo) Alex Morgan']);
    const view = await accountView(page);
    expect(view.status).toBe('The Apple-like (demo) identity was unlinked.');
    expect(view.activity.slice(0, 3)).toEqual([
      'Unlinked an identity',
      'Confirmed it was you',
      'Linked an identity',
    ]);
  });

  it('has no WCAG 2 A/AA violations and does not scroll sideways on a 375×667 phone', async () => {
    expect(await checkA11y(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 667 });
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: 375, clientWidth: 375 });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('reads in Simplified Chinese after switching, dates included, still without violations', async () => {
    await page.getByLabel('Language').selectOption('zh-CN');
    const view = await accountView(page);
    expect(view.heading).toBe('您的账户');
    expect(view.identities).toEqual([
      match(
        String.raw`Google-like \(demo\) Alex Morgan \| alex\.morgan@example\.com（已验证） \| 关联于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} · 上次使用 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} \| 解除关联`,
      ),
    ]);
    expect(view.activity.slice(0, 2)).toEqual(['解除了身份关联', '确认了本人身份']);
    expect(await checkA11y(page)).toEqual([]);
    await page.getByLabel('语言').selectOption('en');
  });

  it('signs out, lands on /signin and has no session left', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${api.url}/signin`);
    expect(await session(page)).toEqual({ signed_in: false });
  });

  it('goes to /signin, and stays there, when the session ended behind the page’s back', async () => {
    await signInThroughConsole(page, api.url, 'google', 'Alex Morgan');
    await accountView(page);
    // Another tab signs out: the cookie is gone, the page still believes it is signed in.
    const status = await page.evaluate(`fetch('/v1/auth/session').then((r) => r.json()).then((s) =>
      fetch('/v1/auth/signout', { method: 'POST', headers: { 'x-csrf-token': s.csrf_token } })).then((r) => r.status)`);
    expect(status).toBe(204);
    await page.getByRole('button', { name: 'Unlink Google-like (demo) identity Alex Morgan' }).click();
    await page.waitForURL(`${api.url}/signin`);
    await page.getByRole('link', { name: 'Continue with Google-like (demo)' }).waitFor();
    // "Stays": a page that still believed in its session would bounce between /signin and /account.
    await page.waitForTimeout(1_000);
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in to Linkwell');
  });

  it('never hit a Content-Security-Policy refusal or an uncaught exception', () => {
    expect(log.cspViolations).toEqual([]);
    expect(log.errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
  });
});
