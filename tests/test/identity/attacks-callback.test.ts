import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  authorizeUrlOf,
  callbackProblem,
  openCallback,
  type RowCounts,
  rowCounts,
} from '../../src/identity/attack-kit.js';
import {
  consentAtProvider,
  type IdentityStack,
  personId,
  startIdentityStack,
  startSignIn,
  TestBrowser,
} from '../../src/identity/index.js';

const LI_WEI = personId('google', 'Li Wei');

describe('tampered, replayed and misdirected sign-in callbacks', () => {
  let stack: IdentityStack;
  let before: RowCounts;

  beforeAll(async () => {
    stack = await startIdentityStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    before = await rowCounts(stack.db);
  });

  const nothingCreated = async () => expect(await rowCounts(stack.db)).toEqual(before);
  const withParam = (url: string, name: string, value: string | null) => {
    const u = new URL(url);
    if (value === null) u.searchParams.delete(name);
    else u.searchParams.set(name, value);
    return u.href;
  };

  it("refuses a callback for provider google at apple's endpoint with API_ERR_PROVIDER_MISMATCH and spends it", async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', LI_WEI);
    const atApple = callback.replace('/v1/auth/google/callback', '/v1/auth/apple/callback');
    expect(await callbackProblem(browser, atApple)).toMatchObject({
      status: 400,
      code: 'API_ERR_PROVIDER_MISMATCH',
      expected: 'google',
      received: 'apple',
    });
    // The transaction was spent first: the untouched callback at the right endpoint is now a replay.
    expect(await callbackProblem(browser, callback)).toMatchObject({ code: 'API_ERR_SIGNIN_REPLAYED' });
    await nothingCreated();
  });

  it('sends a browser to /signin?error=API_ERR_PROVIDER_MISMATCH when it is not a JSON client', async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', LI_WEI);
    const res = await browser.get(callback.replace('/google/callback', '/apple/callback'));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/signin?error=API_ERR_PROVIDER_MISMATCH');
    expect(browser.cookie(stack.apiUrl, 'lw_session')).toBeUndefined();
    await nothingCreated();
  });

  it('refuses a callback with an unknown state with API_ERR_SIGNIN_STATE_INVALID', async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', LI_WEI);
    const forged = withParam(callback, 'state', randomBytes(32).toString('base64url'));
    expect(await callbackProblem(browser, forged)).toMatchObject({
      status: 400,
      code: 'API_ERR_SIGNIN_STATE_INVALID',
      detail: 'No sign-in was started with this state.',
    });
    await nothingCreated();
  });

  it('refuses a callback without state (and one with an empty state) with API_ERR_SIGNIN_STATE_INVALID', async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', LI_WEI);
    for (const url of [withParam(callback, 'state', null), withParam(callback, 'state', '')]) {
      expect(await callbackProblem(browser, url)).toMatchObject({
        status: 400,
        code: 'API_ERR_SIGNIN_STATE_INVALID',
        detail: 'The callback carries no state.',
      });
    }
    await nothingCreated();
  });

  it("refuses an ID token carrying flow A's nonce in flow B's transaction with API_ERR_ID_TOKEN_INVALID (reason nonce)", async () => {
    const browser = new TestBrowser();
    const a = new URL(await authorizeUrlOf(browser, stack.apiUrl, 'google'));
    const b = new URL(await authorizeUrlOf(browser, stack.apiUrl, 'google'));
    expect(a.searchParams.get('nonce')).not.toBe(b.searchParams.get('nonce'));
    // A's request with B's state and PKCE challenge: only the nonce still belongs to A.
    a.searchParams.set('state', b.searchParams.get('state')!);
    a.searchParams.set('code_challenge', b.searchParams.get('code_challenge')!);
    const callback = await consentAtProvider(browser, a.href, LI_WEI, stack.apiUrl);
    expect(await callbackProblem(browser, callback)).toMatchObject({
      status: 401,
      code: 'API_ERR_ID_TOKEN_INVALID',
      provider: 'google',
      reason: 'nonce',
      check: 'unexpected ID Token "nonce" claim value',
    });
    await nothingCreated();
  });

  it('refuses a replayed callback after a successful sign-in with API_ERR_SIGNIN_REPLAYED', async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', LI_WEI);
    const first = await openCallback(browser, callback);
    expect(first.status).toBe(200);
    const afterSignIn = await rowCounts(stack.db);
    expect(afterSignIn.sessions).toBe(before.sessions + 1);
    expect(await callbackProblem(browser, callback)).toMatchObject({
      status: 400,
      code: 'API_ERR_SIGNIN_REPLAYED',
    });
    // The same callback from the attacker's own browser is refused just the same.
    expect(await callbackProblem(new TestBrowser(), callback)).toMatchObject({
      code: 'API_ERR_SIGNIN_REPLAYED',
    });
    expect(await rowCounts(stack.db)).toEqual(afterSignIn);
  });

  it('refuses a PKCE downgrade (challenge stripped): the provider says invalid_request, API_ERR_UPSTREAM_ERROR', async () => {
    const browser = new TestBrowser();
    const url = new URL(await authorizeUrlOf(browser, stack.apiUrl, 'google'));
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    // The provider refuses before any sign-in page and sends the error back to the redirect URI.
    const callback = await consentAtProvider(browser, url.href, LI_WEI, stack.apiUrl);
    expect(new URL(callback).searchParams.get('error')).toBe('invalid_request');
    expect(await callbackProblem(browser, callback)).toMatchObject({
      status: 502,
      code: 'API_ERR_UPSTREAM_ERROR',
      provider: 'google',
      upstream_code: 'invalid_request',
    });
    await nothingCreated();
  });

  it("refuses a code bound to the attacker's own PKCE challenge: invalid_grant at the exchange, API_ERR_UPSTREAM_ERROR", async () => {
    const browser = new TestBrowser();
    const url = new URL(await authorizeUrlOf(browser, stack.apiUrl, 'google'));
    // RFC 7636 S256 of a verifier only the attacker knows.
    const attackerVerifier = randomBytes(32).toString('base64url');
    url.searchParams.set('code_challenge', createHash('sha256').update(attackerVerifier).digest('base64url'));
    const callback = await consentAtProvider(browser, url.href, LI_WEI, stack.apiUrl);
    expect(new URL(callback).searchParams.get('code')).toBeTruthy();
    expect(await callbackProblem(browser, callback)).toMatchObject({
      status: 502,
      code: 'API_ERR_UPSTREAM_ERROR',
      provider: 'google',
      upstream_code: 'invalid_grant',
    });
    await nothingCreated();
  });

  it('refuses a callback opened in another browser (login CSRF) with API_ERR_SIGNIN_BROWSER_MISMATCH', async () => {
    const attacker = new TestBrowser();
    const callback = await startSignIn(attacker, stack.apiUrl, 'google', LI_WEI);
    const victim = new TestBrowser();
    expect(await callbackProblem(victim, callback)).toMatchObject({
      status: 400,
      code: 'API_ERR_SIGNIN_BROWSER_MISMATCH',
    });
    expect(victim.cookie(stack.apiUrl, 'lw_session')).toBeUndefined();
    // Spent by the refusal: the attacker cannot finish it in their own browser either.
    expect(await callbackProblem(attacker, callback)).toMatchObject({ code: 'API_ERR_SIGNIN_REPLAYED' });
    await nothingCreated();
  });

  it('refuses a callback in a browser holding its own, different lw_flow with API_ERR_SIGNIN_BROWSER_MISMATCH', async () => {
    const attacker = new TestBrowser();
    const callback = await startSignIn(attacker, stack.apiUrl, 'google', LI_WEI);
    const victim = new TestBrowser();
    await authorizeUrlOf(victim, stack.apiUrl, 'apple');
    expect(victim.cookie(stack.apiUrl, 'lw_flow')).toBeDefined();
    expect(await callbackProblem(victim, callback)).toMatchObject({
      code: 'API_ERR_SIGNIN_BROWSER_MISMATCH',
    });
    await nothingCreated();
  });
});
