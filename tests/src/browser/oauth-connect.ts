import * as oidc from 'openid-client';
import type { Page, Route } from 'playwright-core';

export interface StartedAuthorization {
  /** The authorization endpoint URL to open in the browser. */
  readonly url: string;
  readonly verifier: string;
  readonly state: string;
}

/**
 * An app's authorization request, built by openid-client as a real app builds it: code flow with PKCE
 * (S256, required for every client here) and a fresh state. `prompt=consent` comes along whenever
 * offline_access is asked for, because OIDC Core §11 ignores offline_access without it.
 */
export async function startAuthorization(
  config: oidc.Configuration,
  redirectUri: string,
  scope: string,
): Promise<StartedAuthorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(scope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
  });
  return { url: url.href, verifier, state };
}

/**
 * Stands in for the app at `redirectUri` (a loopback port nobody listens on): once this resolves, the
 * browser's next navigation there is answered with a small page, and `arrived` gives the full URL it came
 * with (code, state, iss, or error). Await it before the click that leads there.
 */
export async function appAt(page: Page, redirectUri: string): Promise<{ arrived: Promise<URL> }> {
  const matches = (url: URL) => url.href.startsWith(redirectUri);
  let reach: (url: URL) => void = () => undefined;
  const requested = new Promise<URL>((resolve) => {
    reach = resolve;
  });
  const handler = async (route: Route) => {
    reach(new URL(route.request().url()));
    // An empty icon, so Chromium does not ask the (absent) app for /favicon.ico and log the failure.
    await route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: '<!doctype html><link rel="icon" href="data:,"><title>The app</title>',
    });
  };
  await page.route(matches, handler);
  // Resolved once the app's page has loaded, so the test's next navigation does not cut this one off.
  const arrived = requested.then(async (url) => {
    await page.waitForURL(url.href);
    await page.unroute(matches, handler);
    return url;
  });
  return { arrived };
}

/** The consent page for `appName` is up: its heading and the Allow button are there. */
export async function consentShown(page: Page, heading: string, allow = 'Allow'): Promise<void> {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.getByRole('button', { name: allow, exact: true }).waitFor();
}

/**
 * A whole connection as a signed-in person makes it in the browser: the app's authorization URL, the
 * consent page (everything left ticked), Allow, and the code exchanged with the PKCE verifier.
 */
export async function connectInBrowser(
  page: Page,
  config: oidc.Configuration,
  app: { name: string; redirectUri: string },
  scope: string,
): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  const started = await startAuthorization(config, app.redirectUri, scope);
  await page.goto(started.url);
  await consentShown(page, `Connect ${app.name}`);
  const { arrived } = await appAt(page, app.redirectUri);
  await page.getByRole('button', { name: 'Allow', exact: true }).click();
  return oidc.authorizationCodeGrant(config, await arrived, {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
  });
}
