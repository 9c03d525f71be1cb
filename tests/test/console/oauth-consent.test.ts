import * as oidc from 'openid-client';
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
} from '../../src/browser/index.js';
import { appAt, consentShown, startAuthorization } from '../../src/browser/oauth-connect.js';
import { freePort } from '../../src/harness/ports.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { clientConfig, type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

const APP_NAME = 'Pulse Diary';
const SCOPE = 'openid offline_access heart_rate.read blood_pressure.read trends.read';

/** The consent page's checkboxes as a person reads them: label and whether it is ticked. */
async function choices(page: Page): Promise<[string, boolean][]> {
  const boxes = page.locator('.scope-choice');
  const out: [string, boolean][] = [];
  for (let i = 0; i < (await boxes.count()); i++) {
    const box = boxes.nth(i);
    out.push([
      (await box.locator('label').textContent())?.trim() ?? '',
      await box.getByRole('checkbox').isChecked(),
    ]);
  }
  return out;
}

/**
 * The console's /connect page in Chromium against the real API and authorization server (PGlite,
 * identity-sim): an app registered through the developer API asks for data with openid-client's PKCE
 * request; a signed-out person signs in on the way, unticks a scope, and the app's token lacks it.
 */
describe('the /connect consent page in Chromium', () => {
  let stack: IdentityStack;
  let browser: RunningChromium;
  let page: Page;
  let log: PageLog;
  let app: RegisteredApp;
  let config: oidc.Configuration;
  let started: Awaited<ReturnType<typeof startAuthorization>>;

  beforeAll(async () => {
    stack = await startIdentityStack({ console: true });
    const developer = await signInAs(stack, 'Li Wei');
    app = await registerApp(stack, developer, {
      name: APP_NAME,
      // A loopback port nobody listens on (Chromium refuses kit's default port 9 as unsafe); the test
      // answers for the app there (appAt).
      redirectUri: `http://127.0.0.1:${await freePort()}/callback`,
      scopes: ['heart_rate.read', 'blood_pressure.read', 'trends.read', 'profile.read'],
    });
    config = await clientConfig(stack, app);
    browser = await launchChromium({ locale: 'en-US' });
    page = browser.page;
    log = recordPageLog(page);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('sends a signed-out person to /connect, which offers the sign-in providers returning to the interaction', async () => {
    started = await startAuthorization(config, app.redirect_uri, SCOPE);
    await page.goto(started.url);
    await page.waitForURL(/\/connect\?uid=/);
    const uid = new URL(page.url()).searchParams.get('uid') ?? '';
    await page.getByRole('heading', { level: 1, name: `Connect ${APP_NAME}` }).waitFor();
    const links = page.getByRole('list', { name: 'Sign-in options' }).getByRole('link');
    expect(await links.allInnerTexts()).toEqual([
      'Continue with Google-like (demo)',
      'Continue with Apple-like (demo)',
      'Continue with WeChat-style (demo)',
    ]);
    expect(await links.first().getAttribute('href')).toBe(
      `/v1/auth/google/start?return_to=${encodeURIComponent(`/oauth2/interaction/${uid}`)}`,
    );
    expect(await page.getByRole('button', { name: 'Allow' }).count()).toBe(0);
  });

  it('comes back to the consent step after signing in, every asked scope ticked', async () => {
    await page.getByRole('link', { name: 'Continue with Google-like (demo)' }).click();
    await choosePersonAtProvider(page, 'Alex Morgan');
    await consentShown(page, `Connect ${APP_NAME}`);
    expect(await choices(page)).toEqual([
      ['Heart rate', true],
      ['Blood pressure', true],
      ['Trends', true],
      ['Stay connected', true],
    ]);
    expect(
      await page.getByText('Reads your blood-pressure readings (systolic, diastolic, pulse).').count(),
    ).toBe(1);
  });

  it('has no axe violations on the consent page and fits a 375 px phone', async () => {
    expect(await checkA11y(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 667 });
    const { scrollWidth, clientWidth } = await horizontalOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('grants all but blood_pressure.read: the app gets code and state, and its token lacks that scope', async () => {
    await page.getByRole('checkbox', { name: 'Blood pressure' }).uncheck();
    const { arrived } = await appAt(page, app.redirect_uri);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    const callback = await arrived;
    expect(callback.searchParams.get('state')).toBe(started.state);
    expect(callback.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    // The access token carries the API scopes only (openid and offline_access shape the response instead).
    expect(tokens.scope?.split(' ').sort()).toEqual(['heart_rate.read', 'trends.read']);
    expect(tokens.refresh_token).toBeTypeOf('string');
  });

  it('sends access_denied with the state back to the app on Deny', async () => {
    const again = await startAuthorization(config, app.redirect_uri, SCOPE);
    await page.goto(again.url);
    await consentShown(page, `Connect ${APP_NAME}`);
    const { arrived } = await appAt(page, app.redirect_uri);
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
    const callback = await arrived;
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(again.state);
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('shows the consent page in Simplified Chinese, with no axe violations', async () => {
    const zh = await startAuthorization(config, app.redirect_uri, SCOPE);
    await page.goto(zh.url);
    await consentShown(page, `Connect ${APP_NAME}`);
    await page.locator('#lang-select').selectOption('zh-CN');
    await consentShown(page, `连接 ${APP_NAME}`, '允许');
    expect(await choices(page)).toEqual([
      ['心率', true],
      ['血压', true],
      ['趋势', true],
      ['保持连接', true],
    ]);
    expect(await page.getByRole('button', { name: '拒绝', exact: true }).count()).toBe(1);
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    expect(await checkA11y(page)).toEqual([]);
    await page.locator('#lang-select').selectOption('en');
  });

  it('explains an expired request instead of failing', async () => {
    await page.goto(`${stack.apiUrl}/oauth2/interaction/no-such-interaction`);
    await page.waitForURL(`${stack.apiUrl}/connect?error=expired`);
    await page.getByRole('alert').filter({ hasText: 'This request has expired.' }).waitFor();
    expect(log.cspViolations).toEqual([]);
    expect(log.errors).toEqual([]);
  });
});
