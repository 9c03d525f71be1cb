import * as oidc from 'openid-client';
import { type SignedIn, signedIn } from '../identity/attack-kit.js';
import { call, type IdentityStack, locationOf, personId, type TestBrowser } from '../identity/index.js';

export interface RegisteredApp {
  client_id: string;
  client_secret: string | null;
  redirect_uri: string;
}

/** Registers an app through the developer API as `developer` (a signed-in person). */
export async function registerApp(
  stack: IdentityStack,
  developer: SignedIn,
  opts: {
    name?: string;
    redirectUri?: string;
    scopes?: string[];
    type?: 'confidential' | 'public';
    clientCredentials?: boolean;
    sandbox?: boolean;
    authMethod?: 'client_secret_basic' | 'client_secret_post';
  } = {},
): Promise<RegisteredApp> {
  const redirectUri =
    opts.redirectUri ?? `http://127.0.0.1:9/${Math.random().toString(36).slice(2)}/callback`;
  const res = await call(developer.browser, stack.apiUrl, 'POST', '/v1/developer/apps', {
    name: opts.name ?? 'Test app',
    redirect_uris: [redirectUri],
    scopes: opts.scopes ?? ['heart_rate.read', 'blood_pressure.read', 'trends.read', 'profile.read'],
    ...(opts.type ? { type: opts.type } : {}),
    ...(opts.clientCredentials ? { client_credentials: true } : {}),
    ...(opts.sandbox ? { sandbox: true } : {}),
    ...(opts.authMethod ? { token_endpoint_auth_method: opts.authMethod } : {}),
  });
  if (res.status !== 201) throw new Error(`registering an app answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { client: { client_id: string }; client_secret: string | null };
  return { client_id: body.client.client_id, client_secret: body.client_secret, redirect_uri: redirectUri };
}

/** openid-client configured for `app` against the API's issuer (discovery over plain http on loopback). */
export async function clientConfig(stack: IdentityStack, app: RegisteredApp): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(stack.apiUrl),
    app.client_id,
    app.client_secret ?? undefined,
    app.client_secret === null ? oidc.None() : oidc.ClientSecretPost(app.client_secret),
    { execute: [oidc.allowInsecureRequests] },
  );
}

export interface AuthorizeResult {
  /** The redirect back to the app, unvisited: `?code=…&state=…` or `?error=…`. */
  callback: URL;
  verifier: string;
  state: string;
}

/**
 * The browser's side of an authorization: start at the authorize URL with PKCE, let the signed-in Linkwell
 * session log in, untick what `grant` leaves out on the consent step, and stop at the redirect to the app.
 */
export async function authorize(
  stack: IdentityStack,
  person: SignedIn,
  config: oidc.Configuration,
  app: RegisteredApp,
  opts: { scope: string; grant?: string[]; extra?: Record<string, string> },
): Promise<AuthorizeResult> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: app.redirect_uri,
    scope: opts.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    // OIDC Core §11: offline_access counts only when the request asks for consent.
    ...(opts.scope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
    ...opts.extra,
  });
  const callback = await followToApp(stack, person.browser, url.href, app.redirect_uri, opts.grant);
  return { callback, verifier, state };
}

/** Follows the authorization server's redirects, answering consent through the console's JSON routes. */
export async function followToApp(
  stack: IdentityStack,
  browser: TestBrowser,
  start: string,
  redirectUri: string,
  grant: string[] | undefined,
): Promise<URL> {
  let next = start;
  for (let hop = 0; hop < 12; hop++) {
    if (next.startsWith(redirectUri)) return new URL(next);
    const at = new URL(next);
    const uid = at.pathname === '/connect' ? at.searchParams.get('uid') : null;
    if (uid !== null) {
      const details = (await (
        await browser.get(`${stack.apiUrl}/oauth2/interaction/${uid}/details`)
      ).json()) as {
        prompt: string;
        requested_scopes: string[];
        offline_access: boolean;
      };
      if (details.prompt !== 'consent') throw new Error(`expected consent, got ${JSON.stringify(details)}`);
      const scopes = grant ?? [
        ...details.requested_scopes,
        ...(details.offline_access ? ['offline_access'] : []),
      ];
      const res = await call(browser, stack.apiUrl, 'POST', `/oauth2/interaction/${uid}/consent`, { scopes });
      if (res.status !== 200) throw new Error(`consent answered ${res.status}: ${await res.text()}`);
      next = ((await res.json()) as { redirect_to: string }).redirect_to;
      continue;
    }
    const res = await browser.get(next);
    if (res.status < 300 || res.status >= 400) {
      throw new Error(
        `expected a redirect at ${next}, got ${res.status}: ${(await res.text()).slice(0, 300)}`,
      );
    }
    next = locationOf(res, next);
  }
  throw new Error('the authorization did not come back to the app');
}

/** A whole code + PKCE flow through openid-client: the token response. */
export async function connectApp(
  stack: IdentityStack,
  person: SignedIn,
  app: RegisteredApp,
  opts: { scope: string; grant?: string[] },
): Promise<{
  config: oidc.Configuration;
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
}> {
  const config = await clientConfig(stack, app);
  const { callback, verifier, state } = await authorize(stack, person, config, app, opts);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { config, tokens };
}

export const signInAs = (stack: IdentityStack, name: string): Promise<SignedIn> =>
  signedIn(stack, 'google', personId('google', name));

/** A demo person of any simulated provider (Sam Taylor is Apple's), signed in through the real flow. */
export const signInWith = (
  stack: IdentityStack,
  provider: 'google' | 'apple' | 'wechat',
  name: string,
): Promise<SignedIn> => signedIn(stack, provider, personId(provider, name));
