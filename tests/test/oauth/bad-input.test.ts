import { type Database, migrate, openPglite } from '@linkwell/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { authorizeUrl, codeFor, postForm, refresh, tokenRequest, tokensFor } from '../../src/oauth/attack.js';
import { type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

describe('malformed authorization and token requests get RFC 6749 error codes', () => {
  let stack: IdentityStack;
  let person: SignedIn;
  let app: RegisteredApp;

  beforeAll(async () => {
    stack = await startIdentityStack();
    const developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    app = await registerApp(stack, developer);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The authorize endpoint's answer: a redirect to the app with `error`, or the HTML error page. */
  async function authorizeError(params: Record<string, string | null>, clientId?: string) {
    const target = clientId === undefined ? app : { ...app, client_id: clientId };
    const res = await person.browser.get(authorizeUrl(stack, target, params).url);
    const location = res.headers.get('location');
    if (location?.startsWith(app.redirect_uri)) {
      const url = new URL(location);
      return { via: 'redirect', status: res.status, error: url.searchParams.get('error'), url };
    }
    const html = await res.text();
    return { via: 'page', status: res.status, error: /<code>([a-z_]+)<\/code>/.exec(html)?.[1] ?? html };
  }

  // RFC 6749 §4.1.2.1: errors about the request itself go back to the (verified) redirect URI.
  it('redirects invalid_request when response_type is missing', async () => {
    expect(await authorizeError({ response_type: null })).toMatchObject({
      via: 'redirect',
      error: 'invalid_request',
    });
  });

  // The implicit grant is off (OAuth 2.0 Security BCP §2.1.2); its error goes back in the fragment, as the
  // requested response type's default response mode (OAuth 2.0 Multiple Response Type Encoding §2.1) says.
  it('redirects unsupported_response_type for the implicit response_type=token, with no token', async () => {
    const answer = await authorizeError({ response_type: 'token' });
    expect(answer.via).toBe('redirect');
    const fragment = new URLSearchParams((answer as { url: URL }).url.hash.slice(1));
    expect(fragment.get('error')).toBe('unsupported_response_type');
    expect(fragment.get('access_token')).toBeNull();
  });

  // RFC 6749 §3.3 lets the server ignore part of the requested scope; this one drops what it does not know and
  // the token response's `scope` says what was granted (§5.1), so a client never believes it holds weather.read.
  it('drops a data scope the server does not have instead of granting it', async () => {
    const tokens = await tokensFor(stack, person, app, { scope: 'openid trends.read weather.read' });
    expect(tokens.scope).toBe('trends.read');
  });

  it('answers invalid_request 400 to a token request without grant_type', async () => {
    const answer = await tokenRequest(stack, app, { code: 'x', redirect_uri: app.redirect_uri });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  it('answers unsupported_grant_type 400 to grant_type=password', async () => {
    const answer = await tokenRequest(stack, app, {
      grant_type: 'password',
      username: 'alex',
      password: 'x',
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('answers invalid_client 401 to a wrong client secret', async () => {
    const { code, verifier } = await codeFor(stack, person, app);
    const answer = await tokenRequest(
      stack,
      { ...app, client_secret: `${app.client_secret}x` },
      { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: app.redirect_uri },
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_client' });
    expect(answer.body).not.toHaveProperty('access_token');
  });

  // RFC 6749 §4.1.3: the token request is application/x-www-form-urlencoded.
  it('answers invalid_request 400 to a JSON token request', async () => {
    const { code, verifier } = await codeFor(stack, person, app);
    const res = await fetch(`${stack.apiUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: app.redirect_uri,
        client_id: app.client_id,
        client_secret: app.client_secret,
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
  it('answers invalid_request 400 to a token request repeating code', async () => {
    const { code, verifier } = await codeFor(stack, person, app);
    const answer = await tokenRequest(stack, app, [
      ['grant_type', 'authorization_code'],
      ['code', code],
      ['code', 'another'],
      ['code_verifier', verifier],
      ['redirect_uri', app.redirect_uri],
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
    expect(String(answer.body.error_description)).toMatch(/code/);
  });

  it('redirects invalid_request to an authorization request repeating scope', async () => {
    const { url } = authorizeUrl(stack, app, {});
    const res = await person.browser.get(`${url}&scope=openid`);
    const location = new URL(res.headers.get('location') ?? '', stack.apiUrl);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('answers invalid_grant 400 to a code nobody issued', async () => {
    const answer = await tokenRequest(stack, app, {
      grant_type: 'authorization_code',
      code: 'not-a-code',
      code_verifier: 'v'.repeat(43),
      redirect_uri: app.redirect_uri,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers invalid_request 400 to a revocation without a token', async () => {
    const answer = await postForm(stack, '/oauth2/revoke', {}, { app });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });
});

describe('the token endpoint while the database is down', () => {
  let stack: IdentityStack;
  let db: Database;
  let person: SignedIn;
  let app: RegisteredApp;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    stack = await startIdentityStack({ db });
    const developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    app = await registerApp(stack, developer);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers 503 API_ERR_OAUTH_UNAVAILABLE with no token when PGlite is closed', async () => {
    const tokens = await tokensFor(stack, person, app, { scope: 'trends.read heart_rate.read' });
    expect(tokens.refresh_token).toBeTypeOf('string');
    await db.close();
    const answer = await refresh(stack, app, tokens.refresh_token as string);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(answer.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
      code: 'API_ERR_OAUTH_UNAVAILABLE',
    });
  });
});
