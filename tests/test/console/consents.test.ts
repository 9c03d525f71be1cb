import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  horizontalOverflow,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
  settled,
  signInThroughConsole,
} from '../../src/browser/index.js';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { apiGet, tokensFor } from '../../src/oauth/attack.js';
import { registerApp, signInAs } from '../../src/oauth/kit.js';

interface ConsentRow {
  purpose: string;
  category: string;
  recipient: string;
  granted: boolean;
  state: string;
  text_version: string | null;
  current_text_version: string;
}

/**
 * "Privacy & consents" on the account page in Chromium against the real API (PGlite, identity-sim): Li finds
 * marketing off, turns marketing × usage on and off again with the switch, and each change is what the API
 * then answers, with the text version she was shown; an app she connected can neither read nor change it.
 */
describe('privacy and consents on the account page in Chromium', { timeout: 120_000 }, () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let chromium: RunningChromium;
  let page: Page;
  let log: PageLog;
  const marketingUsage = () => page.getByRole('switch', { name: 'Marketing: Usage' });
  const consents = async () =>
    (
      (await (await call(li.browser, stack.apiUrl, 'GET', '/v1/consents')).json()) as {
        consents: ConsentRow[];
      }
    ).consents;
  const marketing = async () =>
    (await consents()).find(
      (c) => c.purpose === 'marketing' && c.category === 'usage' && c.recipient === 'linkwell',
    );

  beforeAll(async () => {
    stack = await startIdentityStack({ console: true });
    li = await signInAs(stack, 'Li Wei');
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    log = recordPageLog(page);
    await signInThroughConsole(page, stack.apiUrl, 'google', 'Li Wei');
    await settled(page);
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
  });

  it('shows every purpose with its text version, marketing off and the service on by default', async () => {
    await page.getByRole('heading', { name: 'Privacy & consents' }).waitFor();
    await marketingUsage().waitFor();
    expect(await marketingUsage().isChecked()).toBe(false);
    expect(await page.getByRole('switch', { name: 'Running the service: Health' }).isChecked()).toBe(true);
    expect(await page.getByRole('switch').count()).toBe(15);
    const version = (await marketing())?.current_text_version ?? '';
    expect(version).not.toBe('');
    const group = page.getByRole('group', { name: 'Marketing' });
    expect(await group.getByText(`Text version ${version}`).count()).toBe(1);
    expect(await marketing()).toMatchObject({ granted: false, state: 'default_off' });
  });

  it('grants marketing × usage with the switch, and the API then holds the grant under the version shown', async () => {
    await marketingUsage().check();
    await page.getByRole('status').filter({ hasText: 'Consent given: Marketing: Usage.' }).waitFor();
    const row = await marketing();
    expect(row).toMatchObject({ granted: true, state: 'granted' });
    expect(row?.text_version).toBe(row?.current_text_version);
    expect(await marketingUsage().isChecked()).toBe(true);
    // Only the switched key changed.
    expect((await consents()).filter((c) => c.purpose === 'marketing' && c.granted)).toHaveLength(1);
    const history = (await (await call(li.browser, stack.apiUrl, 'GET', '/v1/consents/history')).json()) as {
      history: { kind: string; channel: string }[];
    };
    expect(history.history[0]).toMatchObject({ kind: 'grant', channel: 'console' });
  });

  it('keeps the grant after a reload, has no axe violations and fits a phone', async () => {
    await page.reload();
    await settled(page);
    await marketingUsage().waitFor();
    expect(await marketingUsage().isChecked()).toBe(true);
    expect(await checkA11y(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 667 });
    const { scrollWidth, clientWidth } = await horizontalOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('withdraws it with the switch, and the API then answers withdrawn', async () => {
    await marketingUsage().uncheck();
    await page.getByRole('status').filter({ hasText: 'Consent withdrawn: Marketing: Usage.' }).waitFor();
    expect(await marketing()).toMatchObject({ granted: false, state: 'withdrawn' });
    expect(await marketingUsage().isChecked()).toBe(false);
  });

  it('refuses an app’s token on every consent route with API_ERR_CONSENT_APP_FORBIDDEN', async () => {
    const app = await registerApp(stack, li, { name: 'Consent Reader', scopes: ['heart_rate.read'] });
    const { access_token } = await tokensFor(stack, li, app, { scope: 'openid heart_rate.read' });
    for (const path of ['/v1/consents', '/v1/consents/history']) {
      const res = await apiGet(stack, access_token, path);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('API_ERR_CONSENT_APP_FORBIDDEN');
    }
    // A complete, valid grant, so only the token stands between it and the record.
    const texts = (
      (await (await call(li.browser, stack.apiUrl, 'GET', '/v1/consents')).json()) as {
        texts: { purpose: string; locale: string; version: string; sha256: string }[];
      }
    ).texts;
    const shown = texts.find((x) => x.purpose === 'marketing' && x.locale === 'en')!;
    const put = await fetch(`${stack.apiUrl}/v1/consents`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        purpose: 'marketing',
        category: 'usage',
        recipient: 'linkwell',
        text_version: shown.version,
        text_sha256: shown.sha256,
        channel: 'api',
      }),
    });
    expect(put.status).toBe(403);
    expect(((await put.json()) as { code: string }).code).toBe('API_ERR_CONSENT_APP_FORBIDDEN');
    expect(await marketing()).toMatchObject({ granted: false, state: 'withdrawn' });
  });

  it('logged no page errors or CSP refusals', () => {
    expect(log.cspViolations).toEqual([]);
    expect(log.errors).toEqual([]);
  });
});
