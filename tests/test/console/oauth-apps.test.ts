import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  checkA11y,
  horizontalOverflow,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
  settled,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { connectInBrowser } from '../../src/browser/oauth-connect.js';
import { freePort } from '../../src/harness/ports.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { clientConfig, type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

const APP_NAME = 'Pulse Diary';

async function noSidewaysScrollOnAPhone(page: Page): Promise<void> {
  await page.setViewportSize({ width: 375, height: 667 });
  const { scrollWidth, clientWidth } = await horizontalOverflow(page);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/**
 * /apps and /developer in Chromium against the real API (PGlite, identity-sim): the person connects an app
 * in the browser, sees it with its scopes, disconnects it (the app's refresh token then fails), and
 * registers an app of their own, whose secret is shown once.
 */
describe('the connected-apps and developer pages in Chromium', () => {
  let stack: IdentityStack;
  let browser: RunningChromium;
  let page: Page;
  let log: PageLog;
  let app: RegisteredApp;
  let config: oidc.Configuration;
  let refreshToken = '';
  let firstSecret = '';

  beforeAll(async () => {
    stack = await startIdentityStack({ console: true });
    const developer = await signInAs(stack, 'Li Wei');
    app = await registerApp(stack, developer, {
      name: APP_NAME,
      redirectUri: `http://127.0.0.1:${await freePort()}/callback`,
      scopes: ['heart_rate.read', 'blood_pressure.read', 'trends.read'],
    });
    config = await clientConfig(stack, app);
    browser = await launchChromium({ locale: 'en-US' });
    page = browser.page;
    log = recordPageLog(page);
    await signInThroughConsole(page, stack.apiUrl, 'google', 'Alex Morgan');
    const tokens = await connectInBrowser(
      page,
      config,
      { name: APP_NAME, redirectUri: app.redirect_uri },
      'openid offline_access heart_rate.read trends.read',
    );
    refreshToken = tokens.refresh_token ?? '';
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('lists the connected app with what it may read and the consent in the history', async () => {
    await page.goto(`${stack.apiUrl}/account`);
    await page.getByRole('link', { name: 'Connected apps', exact: true }).click();
    await settled(page);
    const card = page.locator('.connection');
    expect(await card.count()).toBe(1);
    expect(await card.locator('.title').textContent()).toBe(`${APP_NAME} `);
    expect(await card.getByText('May read: Heart rate and Trends').count()).toBe(1);
    const history = page.locator('table.consent-history tbody tr');
    expect(await history.count()).toBe(1);
    const cells = (await history.first().locator('th, td').allTextContents()).map((x) => x.trim());
    expect([cells[0], cells[1], cells[5]]).toEqual([APP_NAME, 'Heart rate and Trends', 'In force']);
    expect(cells[3]).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
  });

  it('has no axe violations on /apps and fits a phone', async () => {
    expect(await checkA11y(page)).toEqual([]);
    await noSidewaysScrollOnAPhone(page);
  });

  it('disconnects the app after confirming; the app’s refresh token then fails with invalid_grant', async () => {
    expect(refreshToken).not.toBe('');
    await page.getByRole('button', { name: `Disconnect ${APP_NAME}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${APP_NAME} was disconnected.` })
      .waitFor();
    await page.getByText('No apps are connected.').waitFor();
    const { connections } = await apiGet<{ connections: unknown[] }>(page, '/v1/connections');
    expect(connections).toEqual([]);
    const refused = await oidc.refreshTokenGrant(config, refreshToken).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(oidc.ResponseBodyError);
    expect((refused as oidc.ResponseBodyError).error).toBe('invalid_grant');
    const withdrawn = page.locator('table.consent-history tbody tr').first().locator('td').last();
    expect(await withdrawn.textContent()).toMatch(/ by you$/);
  });

  it('registers an app from the form and shows its secret once, with the client id and discovery URL', async () => {
    await page.getByRole('link', { name: 'Developer', exact: true }).click();
    await settled(page);
    expect(await page.getByText('You have not registered an app yet.').count()).toBe(1);
    expect(await page.getByTestId('discovery-url').textContent()).toBe(
      `${stack.apiUrl}/.well-known/openid-configuration`,
    );
    await page.getByLabel('App name').fill('Morgan family tracker');
    await page
      .getByLabel('Redirect URIs (one per line)')
      .fill('https://tracker.example/cb\nhttps://tracker.example/dev/cb');
    await page.getByRole('checkbox', { name: /^Heart rate/ }).check();
    await page.getByRole('checkbox', { name: /^Trends/ }).check();
    await page.getByRole('button', { name: 'Register app' }).click();
    const secret = page.getByTestId('client-secret');
    await secret.waitFor();
    firstSecret = (await secret.textContent()) ?? '';
    expect(firstSecret).toMatch(/^\S{32,}$/);
    expect(await page.getByText('Copy it now: you will not see this secret again.').count()).toBe(1);
    await settled(page);
    const { clients } = await apiGet<{ clients: { client_id: string; sector: string; scopes: string[] }[] }>(
      page,
      '/v1/developer/apps',
    );
    expect(clients.map((c) => c.scopes)).toEqual([['heart_rate.read', 'trends.read']]);
    expect(await page.getByTestId('client-id').allTextContents()).toEqual([clients[0]!.client_id]);
    expect(clients[0]!.sector).toBe('tracker.example');
    expect(await page.locator('.developer-app .facts dd').nth(1).textContent()).toBe('tracker.example');
  });

  it('has no axe violations on /developer with the secret shown, and fits a phone', async () => {
    expect(await checkA11y(page)).toEqual([]);
    await noSidewaysScrollOnAPhone(page);
  });

  it('does not show the secret again after a reload', async () => {
    await page.reload();
    await settled(page);
    expect(await page.getByTestId('client-id').count()).toBe(1);
    expect(await page.getByTestId('client-secret').count()).toBe(0);
  });

  it('shows a new secret once after rotating, different from the first', async () => {
    await page.getByRole('button', { name: 'New secret for Morgan family tracker' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'New secret', exact: true }).click();
    const secret = page.getByTestId('client-secret');
    await secret.waitFor();
    const second = (await secret.textContent()) ?? '';
    expect(second).toMatch(/^\S{32,}$/);
    expect(second).not.toBe(firstSecret);
  });

  it('shows API_ERR_CLIENT_INVALID next to the form for an http redirect URI off loopback', async () => {
    await page.getByLabel('App name').fill('Insecure app');
    await page.getByLabel('Redirect URIs (one per line)').fill('http://example.com/cb');
    await page.getByRole('checkbox', { name: /^Heart rate/ }).check();
    await page.getByRole('button', { name: 'Register app' }).click();
    const alert = page.locator('form [role="alert"]');
    await alert.filter({ hasText: 'Error code: API_ERR_CLIENT_INVALID' }).waitFor();
    expect(await alert.textContent()).toContain('Redirect URIs must be https (or http on 127.0.0.1 / [::1])');
    expect(await page.getByTestId('register-field').textContent()).toMatch(/^Field: redirect_uris/);
    expect(await page.getByLabel('Redirect URIs (one per line)').getAttribute('aria-invalid')).toBe('true');
    const { clients } = await apiGet<{ clients: unknown[] }>(page, '/v1/developer/apps');
    expect(clients).toHaveLength(1);
    expect(log.cspViolations).toEqual([]);
    // Chromium logs every refused fetch; the registration's 400 is the only one.
    expect(log.errors).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });
});
