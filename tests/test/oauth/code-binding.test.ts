import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, type SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { apiGet, codeFor, postForm, refresh, tokenRequest, tokensFor } from '../../src/oauth/attack.js';
import { type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

describe('a code is bound to its client, redirect URI and lifetime; a disabled app loses everything', () => {
  let stack: IdentityStack;
  let person: SignedIn;
  let developer: SignedIn;
  let app: RegisteredApp;
  let thief: RegisteredApp;

  beforeAll(async () => {
    stack = await startIdentityStack();
    developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    app = await registerApp(stack, developer);
    thief = await registerApp(stack, developer, { name: 'Thief' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const exchange = (as: RegisteredApp, code: string, verifier: string, redirectUri = app.redirect_uri) =>
    tokenRequest(stack, as, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    });

  // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated confidential client".
  it('answers invalid_grant when another client exchanges the code, and the owner can still use it', async () => {
    const { code, verifier } = await codeFor(stack, person, app);
    const stolen = await exchange(thief, code, verifier, thief.redirect_uri);
    expect(stolen).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(stolen.body).not.toHaveProperty('access_token');
    expect((await exchange(app, code, verifier)).status).toBe(200);
  });

  // RFC 6749 §4.1.3: redirect_uri must be identical to the one in the authorization request.
  it('answers invalid_grant when the exchange names another redirect URI', async () => {
    const { code, verifier } = await codeFor(stack, person, app);
    const wrong = await exchange(app, code, verifier, `${app.redirect_uri}/other`);
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  // RFC 6749 §4.1.2: codes are short-lived (60 s here).
  it('answers invalid_grant to a code 61 s old by the API clock', async () => {
    const { code, verifier } = await codeFor(stack, person, app);
    stack.advance(61_000);
    expect(await exchange(app, code, verifier)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('refuses a disabled app: invalid_client at the token endpoint, 401 token_revoked at the API', async () => {
    const victim = await registerApp(stack, developer, { name: 'Soon disabled' });
    const tokens = await tokensFor(stack, person, victim, {
      scope: 'openid offline_access heart_rate.read trends.read',
      prompt: 'consent',
    });
    expect((await apiGet(stack, tokens.access_token, '/v1/trends')).status).toBe(200);
    const del = await call(
      developer.browser,
      stack.apiUrl,
      'DELETE',
      `/v1/developer/apps/${victim.client_id}`,
    );
    expect(del.status).toBe(204);

    const after = await refresh(stack, victim, tokens.refresh_token as string);
    expect(after).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const res = await fetch(`${stack.apiUrl}/v1/trends`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(res.status).toBe(401);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_UNAUTHORIZED', reason: 'token_revoked' });
    const introspected = await postForm(
      stack,
      '/oauth2/introspect',
      { token: tokens.access_token },
      { app: victim },
    );
    expect(introspected.status).toBe(401);
    expect(introspected.body).toMatchObject({ error: 'invalid_client' });
  });
});
