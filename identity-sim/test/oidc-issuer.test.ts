import { decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimOidcIssuer, startSimOidcIssuer } from '../src/index.js';
import { buttonsOf, formActionsOf, UserAgent } from './user-agent.js';

const REDIRECT = 'https://linkwell.example/auth/callback/google';
const ALEX = {
  id: '110248495921238986420',
  name: 'Alex Morgan',
  email: 'alex.morgan@example.com',
  email_verified: true,
  picture: 'https://img.example/alex.png',
  locale: 'en',
};
const LI = {
  id: '107751327465382190544',
  name: 'Li Wei',
  email: 'li.wei@example.com',
  email_verified: false,
};
const RP = { client_id: 'linkwell-test', client_secret: 'test-secret-1', redirect_uris: [REDIRECT] };

let google: SimOidcIssuer;
let apple: SimOidcIssuer;

beforeAll(async () => {
  google = await startSimOidcIssuer({ displayName: 'Google-like', people: [ALEX, LI], clients: [RP] });
  apple = await startSimOidcIssuer({
    displayName: 'Apple-like',
    people: [
      {
        id: '001234.5f7c0e.0917',
        name: 'Sam Taylor',
        email: 'sam@privaterelay.example',
        email_verified: true,
      },
    ],
    clients: [RP],
    signingAlg: 'ES256',
  });
});
afterAll(async () => {
  await google?.close();
  await apple?.close();
});

async function rp(issuer: string, auth?: client.ClientAuth): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), RP.client_id, RP.client_secret, auth, {
    execute: [client.allowInsecureRequests],
  });
}

async function authorization(cfg: client.Configuration, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(cfg, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Opens the authorization URL and returns the sign-in page the agent lands on. */
async function openLoginPage(agent: UserAgent, url: URL) {
  const { status, html, url: at } = await agent.follow(url, REDIRECT);
  expect(status).toBe(200);
  return { html, at };
}

/** Picks a person on the sign-in page and follows the redirects back to the relying party's redirect URI. */
async function choose(agent: UserAgent, page: { html: string; at: URL }, personId: string): Promise<URL> {
  const action = formActionsOf(page.html)[0]!;
  const { status, location } = await agent.follow(new URL(action, page.at), REDIRECT, { person: personId });
  if (!location) throw new Error(`sign-in stopped at a page (HTTP ${status}) instead of returning`);
  return location;
}

describe('simulated OIDC issuer', () => {
  it('publishes discovery for the code flow with S256 PKCE and RS256 ID tokens', async () => {
    const meta = (await (await fetch(`${google.issuer}/.well-known/openid-configuration`)).json()) as {
      scopes_supported: string[];
      end_session_endpoint?: string;
    };
    expect(google.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(meta).toMatchObject({
      issuer: google.issuer,
      authorization_endpoint: `${google.issuer}/auth`,
      token_endpoint: `${google.issuer}/token`,
      userinfo_endpoint: `${google.issuer}/me`,
      jwks_uri: `${google.issuer}/jwks`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect([...meta.scopes_supported].sort()).toEqual(['email', 'openid', 'profile']);
    expect(meta.end_session_endpoint).toBeUndefined();
  });

  it('signs Alex Morgan in and returns an RS256 ID token with sub, email, email_verified and the nonce', async () => {
    const cfg = await rp(google.issuer);
    const { url, verifier, state, nonce } = await authorization(cfg);
    const agent = new UserAgent();
    const callback = await choose(agent, await openLoginPage(agent, url), ALEX.id);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(google.issuer);

    const tokens = await client.authorizationCodeGrant(cfg, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    const { sub, email, email_verified, name, picture, locale, iss, aud } = tokens.claims()!;
    expect({
      sub,
      email,
      email_verified,
      name,
      picture,
      locale,
      iss,
      aud,
      nonce: tokens.claims()!.nonce,
    }).toEqual({
      sub: '110248495921238986420',
      email: 'alex.morgan@example.com',
      email_verified: true,
      name: 'Alex Morgan',
      picture: 'https://img.example/alex.png',
      locale: 'en',
      iss: google.issuer,
      aud: 'linkwell-test',
      nonce,
    });
    const userinfo = await client.fetchUserInfo(cfg, tokens.access_token, ALEX.id);
    expect(userinfo).toEqual({
      sub: '110248495921238986420',
      name: 'Alex Morgan',
      email: 'alex.morgan@example.com',
      email_verified: true,
      picture: 'https://img.example/alex.png',
      locale: 'en',
    });
  });

  it('reports email_verified false for Li Wei, whose address is unverified', async () => {
    const cfg = await rp(google.issuer, client.ClientSecretBasic(RP.client_secret));
    const { url, verifier, state, nonce } = await authorization(cfg);
    const agent = new UserAgent();
    const callback = await choose(agent, await openLoginPage(agent, url), LI.id);
    const tokens = await client.authorizationCodeGrant(cfg, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect([tokens.claims()!.sub, tokens.claims()!.email, tokens.claims()!.email_verified]).toEqual([
      '107751327465382190544',
      'li.wei@example.com',
      false,
    ]);
  });

  it('signs ID tokens with ES256 at the Apple-like issuer and publishes a P-256 key', async () => {
    const cfg = await rp(apple.issuer);
    expect(cfg.serverMetadata().id_token_signing_alg_values_supported).toEqual(['ES256']);
    const { url, verifier, state, nonce } = await authorization(cfg);
    const agent = new UserAgent();
    const callback = await choose(agent, await openLoginPage(agent, url), '001234.5f7c0e.0917');
    const tokens = await client.authorizationCodeGrant(cfg, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    expect([tokens.claims()!.sub, tokens.claims()!.email]).toEqual([
      '001234.5f7c0e.0917',
      'sam@privaterelay.example',
    ]);
    const { keys } = (await (await fetch(`${apple.issuer}/jwks`)).json()) as {
      keys: { kty: string; crv: string; alg: string }[];
    };
    expect(keys.map((k) => [k.kty, k.crv, k.alg])).toEqual([['EC', 'P-256', 'ES256']]);
  });

  it('skips the sign-in page on a second authorization while the session lives', async () => {
    const cfg = await rp(google.issuer);
    const agent = new UserAgent();
    await choose(agent, await openLoginPage(agent, (await authorization(cfg)).url), ALEX.id);
    const again = await authorization(cfg);
    const { location } = await agent.follow(again.url, REDIRECT);
    expect(location?.searchParams.get('state')).toBe(again.state);
    expect(location?.searchParams.has('code')).toBe(true);
  });

  it('shows the sign-in page again for prompt=login and switches from Alex Morgan to Li Wei without a sign-out page', async () => {
    const cfg = await rp(google.issuer);
    const agent = new UserAgent();
    await choose(agent, await openLoginPage(agent, (await authorization(cfg)).url), ALEX.id);
    const again = await authorization(cfg, { prompt: 'login' });
    const page = await openLoginPage(agent, again.url);
    expect(page.html).toContain('The app asked you to sign in again.');
    const callback = await choose(agent, page, LI.id);
    const tokens = await client.authorizationCodeGrant(cfg, callback, {
      pkceCodeVerifier: again.verifier,
      expectedState: again.state,
      expectedNonce: again.nonce,
    });
    expect(tokens.claims()!.sub).toBe('107751327465382190544');
    // The switch replaced the session without a sign-out page: the next request is Li Wei's, silently.
    const later = await authorization(cfg);
    const { location } = await agent.follow(later.url, REDIRECT);
    const laterTokens = await client.authorizationCodeGrant(cfg, location!, {
      pkceCodeVerifier: later.verifier,
      expectedState: later.state,
      expectedNonce: later.nonce,
    });
    expect(laterTokens.claims()!.sub).toBe('107751327465382190544');
  });

  it('asks again for max_age=0 a second after sign-in and reports the new auth_time', async () => {
    const cfg = await rp(google.issuer);
    const agent = new UserAgent();
    await choose(agent, await openLoginPage(agent, (await authorization(cfg)).url), ALEX.id);
    // max_age counts whole seconds (Core §3.1.2.1), so let the clock pass a second boundary.
    await new Promise((resolve) => setTimeout(resolve, 1020 - (Date.now() % 1000)));
    const again = await authorization(cfg, { max_age: '0' });
    const page = await openLoginPage(agent, again.url);
    expect(page.html).toContain('The app asked you to sign in again.');
    const before = Math.floor(Date.now() / 1000);
    const tokens = await client.authorizationCodeGrant(cfg, await choose(agent, page, ALEX.id), {
      pkceCodeVerifier: again.verifier,
      expectedState: again.state,
      expectedNonce: again.nonce,
      maxAge: 0,
    });
    expect(tokens.claims()!.auth_time).toBeGreaterThanOrEqual(before);
  });

  it('redirects an authorization request without code_challenge back with invalid_request', async () => {
    const cfg = await rp(google.issuer);
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: REDIRECT, scope: 'openid', state: 's-1' });
    const { location } = await new UserAgent().follow(url, REDIRECT);
    expect(Object.fromEntries(location!.searchParams)).toEqual({
      error: 'invalid_request',
      error_description: 'Authorization Server policy requires PKCE to be used for this request',
      state: 's-1',
      iss: google.issuer,
    });
  });

  it('answers an unregistered redirect_uri with its own 400 page instead of redirecting there', async () => {
    const cfg = await rp(google.issuer);
    const { url } = await authorization(cfg);
    url.searchParams.set('redirect_uri', 'https://evil.example/callback');
    const response = await new UserAgent().request(url);
    const html = await response.text();
    expect([response.status, response.headers.get('location')]).toEqual([400, null]);
    expect(html).toContain('<h1>Sign-in request refused</h1>');
    expect(html).toContain(
      '<p>invalid_redirect_uri: redirect_uri did not match any of the client&#39;s registered redirect_uris</p>',
    );
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('returns access_denied to the redirect URI when the person presses Cancel', async () => {
    const cfg = await rp(google.issuer);
    const { url, state } = await authorization(cfg);
    const agent = new UserAgent();
    const page = await openLoginPage(agent, url);
    const { location } = await agent.follow(new URL(formActionsOf(page.html)[1]!, page.at), REDIRECT, {});
    expect(Object.fromEntries(location!.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'End-User cancelled the sign-in',
      state,
      iss: google.issuer,
    });
  });

  it('renders a phone-sized English page with a "Continue as <name>" button per person and relative actions', async () => {
    const cfg = await rp(google.issuer);
    const agent = new UserAgent();
    const { html, at } = await openLoginPage(agent, (await authorization(cfg)).url);
    const uid = at.pathname.split('/')[2]!;
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<h1>Sign in with Google-like</h1>');
    expect(buttonsOf(html)).toEqual([
      { name: 'person', value: ALEX.id, label: 'Continue as Alex Morgan' },
      { name: 'person', value: LI.id, label: 'Continue as Li Wei' },
      { name: undefined, value: undefined, label: 'Cancel' },
    ]);
    expect(html).toContain('aria-describedby="person-0-email"');
    expect(html).toContain('<span class="hint" id="person-0-email">alex.morgan@example.com</span>');
    expect(formActionsOf(html)).toEqual([`/interaction/${uid}/login`, `/interaction/${uid}/abort`]);
    expect(html).not.toMatch(/(src|href)=|@import|url\(/);
  });

  it('answers 400 for a person who does not exist and leaves the sign-in open', async () => {
    const cfg = await rp(google.issuer);
    const agent = new UserAgent();
    const page = await openLoginPage(agent, (await authorization(cfg)).url);
    const response = await agent.request(new URL(formActionsOf(page.html)[0]!, page.at), {
      person: 'nobody',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<h1>Unknown account</h1>');
    const still = await agent.request(page.at);
    expect([still.status, buttonsOf(await still.text()).length]).toEqual([200, 3]);
  });

  it('refuses a sign-in POST that arrives without the interaction cookie (cross-site) with 400', async () => {
    const cfg = await rp(google.issuer);
    const page = await openLoginPage(new UserAgent(), (await authorization(cfg)).url);
    const response = await new UserAgent().request(new URL(formActionsOf(page.html)[0]!, page.at), {
      person: ALEX.id,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<h1>Sign-in expired</h1>');
  });

  it('keeps the two issuers’ cookies apart by naming them after the port', async () => {
    const agent = new UserAgent();
    await choose(
      agent,
      await openLoginPage(agent, (await authorization(await rp(google.issuer))).url),
      ALEX.id,
    );
    await choose(
      agent,
      await openLoginPage(agent, (await authorization(await rp(apple.issuer))).url),
      '001234.5f7c0e.0917',
    );
    const ports = [new URL(google.issuer).port, new URL(apple.issuer).port];
    expect(agent.cookieNames().filter((n) => n.startsWith('_session_'))).toEqual(
      ports.flatMap((p) => [`_session_${p}`, `_session_${p}.sig`]).sort(),
    );
  });
});
