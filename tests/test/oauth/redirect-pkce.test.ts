import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { authorizeUrl, codeFor, tokenRequest } from '../../src/oauth/attack.js';
import { type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

// RFC 6749 §3.1.2.4 / §4.1.2.1: a redirect URI that does not match the registration exactly (OAuth 2.0 Security
// BCP §4.1.3, exact string matching) is never redirected to; the error is shown to the person instead.
describe('authorize refuses a redirect URI that is not an exact match', () => {
  let stack: IdentityStack;
  let person: SignedIn;
  let app: RegisteredApp;

  beforeAll(async () => {
    stack = await startIdentityStack();
    const developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    app = await registerApp(stack, developer, { redirectUri: 'http://127.0.0.1:9/app/callback' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it.each([
    ['an extra path segment', 'http://127.0.0.1:9/app/callback/extra'],
    ['a different port', 'http://127.0.0.1:10/app/callback'],
    ['a trailing slash', 'http://127.0.0.1:9/app/callback/'],
    ['an added query', 'http://127.0.0.1:9/app/callback?next=evil'],
    ['another host', 'http://localhost:9/app/callback'],
  ])('renders invalid_redirect_uri for %s and never redirects', async (_name, bad) => {
    const { url } = authorizeUrl(stack, app, { redirect_uri: bad });
    const res = await person.browser.get(url);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<code>invalid_redirect_uri</code>');
    expect(html).not.toContain(bad);
  });

  it('still redirects to the exact registered URI (the control)', async () => {
    const { url } = authorizeUrl(stack, app, {});
    const res = await person.browser.get(url);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/oauth2\/interaction\//);
  });
});

// RFC 7636 and OAuth 2.0 Security BCP §2.1.1: PKCE with S256 for every client; `plain` is not offered.
describe('PKCE is required, S256 only, and checked at the token endpoint', () => {
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

  async function errorAtCallback(params: Record<string, string | null>) {
    const { url } = authorizeUrl(stack, app, params);
    const res = await person.browser.get(url);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '', stack.apiUrl);
    expect(`${location.origin}${location.pathname}`).toBe(app.redirect_uri);
    return location.searchParams;
  }

  it('redirects invalid_request when the request has no code_challenge', async () => {
    const params = await errorAtCallback({ code_challenge: null, code_challenge_method: null });
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/PKCE/);
    expect(params.get('code')).toBeNull();
  });

  it('redirects invalid_request for code_challenge_method=plain', async () => {
    const params = await errorAtCallback({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toMatch(/code_challenge_method/);
    expect(params.get('code')).toBeNull();
  });

  it('answers invalid_grant to a code exchange with a verifier one character off', async () => {
    const { code, verifier } = await codeFor(stack, person, app);
    const wrong = await tokenRequest(stack, app, {
      grant_type: 'authorization_code',
      code,
      code_verifier: `${verifier.slice(0, -1)}${verifier.endsWith('A') ? 'B' : 'A'}`,
      redirect_uri: app.redirect_uri,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });
    expect(wrong.body).not.toHaveProperty('access_token');
  });

  it('answers invalid_grant to a code exchange without any verifier', async () => {
    const { code } = await codeFor(stack, person, app);
    const none = await tokenRequest(stack, app, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: app.redirect_uri,
    });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ error: 'invalid_grant' });
  });
});
