import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, type SignedIn } from '../../src/identity/attack-kit.js';
import { call, csrfToken, type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import {
  apiGet,
  authorizeUrl,
  claimsOf,
  type TokenSet,
  toConsent,
  tokensFor,
} from '../../src/oauth/attack.js';
import { type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

const SCOPE = 'openid heart_rate.read trends.read profile.read';

describe('an app token reads only its own person, by its own subject', () => {
  let stack: IdentityStack;
  let alex: SignedIn;
  let li: SignedIn;
  let app: RegisteredApp;
  let alexTokens: TokenSet;
  let alexSub: string;
  let liSub: string;

  beforeAll(async () => {
    stack = await startIdentityStack();
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    app = await registerApp(stack, li);
    alexTokens = await tokensFor(stack, alex, app, { scope: SCOPE });
    alexSub = claimsOf(alexTokens.access_token).sub as string;
    liSub = claimsOf((await tokensFor(stack, li, app, { scope: SCOPE })).access_token).sub as string;
    expect(alexSub).not.toBe(liSub);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reads its own person by pairwise subject (the control)', async () => {
    const res = await apiGet(stack, alexTokens.access_token, `/v1/health-profile?account=${alexSub}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(alex.accountId);
  });

  // IDOR: the app names other people (or the platform id it should never know) — every form reads as nobody.
  it.each([
    ['health profile', '/v1/health-profile'],
    ['heart-rate sources', '/v1/trends/heart_rate/sources'],
    ['heart-rate trend', '/v1/trends/heart_rate'],
  ])('answers 404 with no data for the %s of another person', async (_name, path) => {
    for (const account of [() => li.accountId, () => liSub, () => alex.accountId]) {
      const res = await apiGet(
        stack,
        alexTokens.access_token,
        `${path}?account=${encodeURIComponent(account())}`,
      );
      expect(res.status).toBe(404);
      expect(res.body.code).toMatch(/^API_ERR_[A-Z_]*NOT_FOUND$/);
      expect(res.text).not.toContain(li.accountId);
      expect(res.text).not.toContain(alex.accountId);
    }
  });

  // First-party routes need the `account` scope, which no app is ever granted (docs/oauth.md).
  it.each([
    ['GET', '/v1/me'],
    ['GET', '/v1/households'],
    ['GET', '/v1/connections'],
    ['GET', '/v1/developer/apps'],
    ['GET', '/v1/consents/apps'],
    ['POST', '/v1/households'],
    ['PUT', '/v1/health-profile'],
  ])('answers 403 insufficient_scope to %s %s', async (method, path) => {
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${alexTokens.access_token}`, 'content-type': 'application/json' },
      // A body the route accepts, so the refusal is the scope's and not the schema's.
      ...(method === 'GET'
        ? {}
        : { body: JSON.stringify(path === '/v1/households' ? { name: 'Evil' } : {}) }),
    });
    expect(res.status).toBe(403);
    // RFC 6750 §3: the challenge names the error and the scope needed.
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer .*error="insufficient_scope", scope="account"$/,
    );
    expect(await problemOf(res)).toMatchObject({
      code: 'API_ERR_INSUFFICIENT_SCOPE',
      error: 'insufficient_scope',
      required: 'account',
    });
  });
});

describe('the consent step refuses forged, cross-site and cross-account submissions', () => {
  let stack: IdentityStack;
  let alex: SignedIn;
  let li: SignedIn;
  let app: RegisteredApp;

  beforeAll(async () => {
    stack = await startIdentityStack();
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    app = await registerApp(stack, li);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const consentUrl = (uid: string) => `${stack.apiUrl}/oauth2/interaction/${uid}/consent`;
  const body = JSON.stringify({ scopes: ['heart_rate.read', 'trends.read'] });

  it('answers 403 API_ERR_CSRF to a consent without x-csrf-token', async () => {
    const uid = await toConsent(stack, alex.browser, authorizeUrl(stack, app, {}).url);
    const res = await alex.browser.request(consentUrl(uid), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(403);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_CSRF' });
  });

  it('answers 403 API_ERR_CSRF to a consent from another Origin, even with the token', async () => {
    const uid = await toConsent(stack, alex.browser, authorizeUrl(stack, app, {}).url);
    const res = await alex.browser.request(consentUrl(uid), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': await csrfToken(alex.browser, stack.apiUrl),
        origin: 'https://evil.example',
      },
      body,
    });
    expect(res.status).toBe(403);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_CSRF', origin: 'https://evil.example' });
  });

  it('answers 403 API_ERR_OAUTH_INTERACTION_ACCOUNT when another person consents to the request', async () => {
    const uid = await toConsent(stack, alex.browser, authorizeUrl(stack, app, {}).url);
    // Li's Linkwell session in the browser that holds Alex's interaction (a shared computer, a swapped cookie).
    alex.browser.setCookie(
      stack.apiUrl,
      'lw_session',
      li.browser.cookie(stack.apiUrl, 'lw_session') as string,
    );
    const res = await call(alex.browser, stack.apiUrl, 'POST', `/oauth2/interaction/${uid}/consent`, {
      scopes: ['heart_rate.read', 'trends.read'],
    });
    expect(res.status).toBe(403);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_OAUTH_INTERACTION_ACCOUNT' });
    alex = await signInAs(stack, 'Alex Morgan');
  });

  it('answers 403 API_ERR_CLIENT_SANDBOX when a non-owner consents to a sandbox app, and lets its owner', async () => {
    const sandbox = await registerApp(stack, li, { sandbox: true });
    const uid = await toConsent(stack, alex.browser, authorizeUrl(stack, sandbox, {}).url);
    const res = await call(alex.browser, stack.apiUrl, 'POST', `/oauth2/interaction/${uid}/consent`, {
      scopes: ['heart_rate.read', 'trends.read'],
    });
    expect(res.status).toBe(403);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_CLIENT_SANDBOX' });

    const own = await tokensFor(stack, li, sandbox, {});
    expect(own.scope).toBe('heart_rate.read trends.read');
  });
});
