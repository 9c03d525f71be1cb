import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  horizontalOverflow,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
} from '../../src/browser/index.js';
import { type ConsoleApi, startConsoleApi } from './console-api.js';

const SCREENSHOT = fileURLToPath(new URL('../../../docs/img/console-signin.png', import.meta.url));

/** What a person sees on the sign-in page: texts in reading order, and where the provider buttons go. */
async function signInView(page: Page) {
  const providers = page.getByRole('list', { name: /Sign-in options|登录方式/ }).getByRole('link');
  await providers.first().waitFor();
  return {
    lang: await page.evaluate('document.documentElement.lang'),
    title: await page.title(),
    heading: await page.getByRole('heading', { level: 1 }).textContent(),
    intro: await page.locator('main p').first().textContent(),
    providers: await providers.evaluateAll((links) =>
      links.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })),
    ),
    languageLabel: await page.locator('label[for="lang-select"]').textContent(),
  };
}

const HREFS = [
  '/v1/auth/google/start?return_to=%2Faccount',
  '/v1/auth/apple/start?return_to=%2Faccount',
  '/v1/auth/wechat/start?return_to=%2Faccount',
];

describe('the sign-in page in Chromium', () => {
  let api: ConsoleApi;
  beforeAll(async () => {
    api = await startConsoleApi();
  });
  afterAll(() => api?.close());

  describe('with an English browser', () => {
    let chromium: RunningChromium;
    let log: PageLog;
    beforeAll(async () => {
      chromium = await launchChromium({ locale: 'en-US' });
      log = recordPageLog(chromium.page);
      await chromium.page.goto(`${api.url}/signin`);
    });
    afterAll(() => chromium?.close());

    it('offers one button per provider from GET /v1/auth/providers, in English', async () => {
      expect(await signInView(chromium.page)).toEqual({
        lang: 'en',
        title: 'Sign in to Linkwell – Linkwell',
        heading: 'Sign in to Linkwell',
        intro:
          'Sign in with an account you already have. The first time you do, Linkwell creates your account for you.',
        providers: [
          { text: 'Continue with Google-like (demo)', href: HREFS[0] },
          { text: 'Continue with Apple-like (demo)', href: HREFS[1] },
          { text: 'Continue with WeChat-style (demo)', href: HREFS[2] },
        ],
        languageLabel: 'Language',
      });
    });

    it('has no WCAG 2 A/AA violations and none of axe’s best practices broken', async () => {
      expect(await checkA11y(chromium.page)).toEqual([]);
      expect(await checkA11y(chromium.page, { tags: ['best-practice'] })).toEqual([]);
    });

    it('loads without a console error or a Content-Security-Policy refusal', () => {
      expect(log.cspViolations).toEqual([]);
      expect(log.errors).toEqual([]);
    });

    // The picture in README and docs/console.md. Rewritten only on request, so a test run leaves the
    // work tree clean: LINKWELL_UPDATE_SCREENSHOTS=1 npx vitest run --project tests test/console/signin-page
    it('takes a 1280×800 PNG of the page (docs/img/console-signin.png)', async () => {
      const png = await chromium.page.screenshot();
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 800]);
      if (process.env.LINKWELL_UPDATE_SCREENSHOTS === '1') {
        await mkdir(dirname(SCREENSHOT), { recursive: true });
        await writeFile(SCREENSHOT, png);
      }
    });

    it('does not scroll sideways on a 375×667 phone', async () => {
      await chromium.page.setViewportSize({ width: 375, height: 667 });
      expect(await horizontalOverflow(chromium.page)).toEqual({ scrollWidth: 375, clientWidth: 375 });
      await chromium.page.setViewportSize({ width: 1280, height: 800 });
    });

    it('switches to Chinese with the language switcher and keeps it after a reload', async () => {
      const page = chromium.page;
      await page.getByLabel('Language').selectOption('zh-CN');
      await expect.poll(() => page.evaluate('document.documentElement.lang')).toBe('zh-CN');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('登录 Linkwell');
      await page.reload();
      expect((await signInView(page)).heading).toBe('登录 Linkwell');
      await page.getByLabel('语言').selectOption('en');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in to Linkwell');
    });

    it('explains ?error=API_ERR_SIGNIN_EXPIRED in a sentence with the code in small print', async () => {
      await chromium.page.goto(`${api.url}/signin?error=API_ERR_SIGNIN_EXPIRED`);
      const alert = chromium.page.getByRole('alert').filter({ hasText: 'API_ERR' });
      expect(await alert.evaluate((el) => [...el.children].map((c) => [c.tagName, c.textContent]))).toEqual([
        ['STRONG', 'Sign-in did not complete.'],
        ['SPAN', 'The sign-in took longer than 10 minutes. Please start again.'],
        ['SMALL', 'Error code: API_ERR_SIGNIN_EXPIRED'],
      ]);
    });

    it('keyboard: Tab reaches the skip link first, then the provider buttons in order', async () => {
      const page = chromium.page;
      await page.goto(`${api.url}/signin`);
      await signInView(page);
      const focused = async () => page.evaluate('document.activeElement?.textContent');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('Skip to main content');
      const seen: unknown[] = [];
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Tab');
        seen.push(await focused());
      }
      expect(seen).toEqual(
        expect.arrayContaining([
          'Continue with Google-like (demo)',
          'Continue with Apple-like (demo)',
          'Continue with WeChat-style (demo)',
        ]),
      );
    });
  });

  describe('with a Chinese browser', () => {
    let chromium: RunningChromium;
    beforeAll(async () => {
      chromium = await launchChromium({ locale: 'zh-CN', viewport: { width: 375, height: 667 } });
      await chromium.page.goto(`${api.url}/signin`);
    });
    afterAll(() => chromium?.close());

    it('shows the page in Simplified Chinese, chosen from navigator.languages', async () => {
      expect(await signInView(chromium.page)).toEqual({
        lang: 'zh-CN',
        title: '登录 Linkwell – Linkwell',
        heading: '登录 Linkwell',
        intro: '使用您已有的账号登录。首次登录时，Linkwell 会为您创建账户。',
        providers: [
          { text: '使用Google-like (demo)登录', href: HREFS[0] },
          { text: '使用Apple-like (demo)登录', href: HREFS[1] },
          { text: '使用WeChat-style (demo)登录', href: HREFS[2] },
        ],
        languageLabel: '语言',
      });
    });

    it('has no WCAG 2 A/AA violations in Chinese', async () => {
      expect(await checkA11y(chromium.page)).toEqual([]);
    });

    it('does not scroll sideways on a 375×667 phone', async () => {
      expect(await horizontalOverflow(chromium.page)).toEqual({ scrollWidth: 375, clientWidth: 375 });
    });
  });
});
