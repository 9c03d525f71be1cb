import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, type SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { apiGet, claimsOf, refresh, tokenRequest, tokensFor } from '../../src/oauth/attack.js';
import { type RegisteredApp, registerApp, signInAs, signInWith } from '../../src/oauth/kit.js';

const SCOPE = 'openid offline_access heart_rate.read trends.read';
const CONSENT = { scope: SCOPE, prompt: 'consent' };

describe('replayed codes and refresh tokens revoke the whole grant', () => {
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

  async function expectRevoked(accessToken: string) {
    const res = await fetch(`${stack.apiUrl}/v1/trends`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status).toBe(401);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_UNAUTHORIZED', reason: 'token_revoked' });
  }

  // RFC 6749 §4.1.2: a code used twice "SHOULD revoke (when possible) all tokens previously issued based on
  // that authorization code"; OAuth 2.0 Security BCP §4.5.
  it('answers invalid_grant to a second exchange of one code and kills the first exchange tokens at once', async () => {
    const first = await tokensFor(stack, person, app, CONSENT);
    // The resource server has now cached the grant as live (30 s): revocation in this process must clear it.
    expect((await apiGet(stack, first.access_token, '/v1/trends')).status).toBe(200);

    const second = await tokenRequest(stack, app, {
      grant_type: 'authorization_code',
      code: first.code,
      code_verifier: first.verifier,
      redirect_uri: app.redirect_uri,
    });
    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({ error: 'invalid_grant' });
    expect(second.body).not.toHaveProperty('access_token');

    const again = await refresh(stack, app, first.refresh_token as string);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_grant' });
    // Asserted without moving the clock: the grant.revoked event drops the liveness cache entry in-process.
    await expectRevoked(first.access_token);
  });

  // OAuth 2.0 Security BCP §4.14.2: a rotated refresh token used again means one of two holders is an attacker;
  // the grant dies so neither keeps access.
  it('answers invalid_grant to a rotated refresh token and revokes the refresh token that replaced it', async () => {
    const first = await tokensFor(stack, person, app, CONSENT);
    const rotated = await refresh(stack, app, first.refresh_token as string);
    expect(rotated.status).toBe(200);
    const next = rotated.body as { access_token: string; refresh_token: string };
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect((await apiGet(stack, next.access_token, '/v1/trends')).status).toBe(200);

    const replay = await refresh(stack, app, first.refresh_token as string);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_grant' });

    const successor = await refresh(stack, app, next.refresh_token);
    expect(successor.status).toBe(400);
    expect(successor.body).toMatchObject({ error: 'invalid_grant' });
    await expectRevoked(next.access_token);
    await expectRevoked(first.access_token);
  });

  // RFC 6749 §6: the refreshed scope "MUST NOT include any scope not originally granted".
  it('answers invalid_scope to a refresh asking for blood_pressure.read the person never granted', async () => {
    // The app registered blood_pressure.read, but this grant never included it.
    const narrow = await tokensFor(stack, person, app, CONSENT);
    const escalate = await refresh(stack, app, narrow.refresh_token as string, {
      scope: 'heart_rate.read trends.read blood_pressure.read',
    });
    expect(escalate.status).toBe(400);
    expect(escalate.body).toMatchObject({ error: 'invalid_scope' });
    expect(escalate.body).not.toHaveProperty('access_token');

    // A narrower refresh is allowed (the control): only what was granted, and less.
    const down = await refresh(stack, app, narrow.refresh_token as string, { scope: 'heart_rate.read' });
    expect(down.status).toBe(200);
    expect(claimsOf((down.body as { access_token: string }).access_token).scope).toBe('heart_rate.read');
  });

  it('kills refresh and access tokens at once when the person disconnects the app', async () => {
    const tokens = await tokensFor(stack, person, app, CONSENT);
    expect((await apiGet(stack, tokens.access_token, '/v1/trends')).status).toBe(200);
    const gid = claimsOf(tokens.access_token).gid as string;

    const del = await call(person.browser, stack.apiUrl, 'DELETE', `/v1/connections/${gid}`);
    expect(del.status).toBe(204);

    const after = await refresh(stack, app, tokens.refresh_token as string);
    expect(after.status).toBe(400);
    expect(after.body).toMatchObject({ error: 'invalid_grant' });
    await expectRevoked(tokens.access_token);

    const list = (await (await call(person.browser, stack.apiUrl, 'GET', '/v1/connections')).json()) as {
      connections: { grant_id: string }[];
    };
    expect(list.connections.map((c) => c.grant_id)).not.toContain(gid);
    const twice = await call(person.browser, stack.apiUrl, 'DELETE', `/v1/connections/${gid}`);
    expect(twice.status).toBe(404);
    expect(await problemOf(twice)).toMatchObject({ code: 'API_ERR_CONNECTION_NOT_FOUND' });
  });

  // A grant revoked by another API process (simulated by deleting its row under this one) is seen once the
  // 30 s liveness cache entry expires by the API clock (docs/oauth.md "Revocation").
  it('refuses an access token whose grant vanished elsewhere once 31 s of API time have passed', async () => {
    const tokens = await tokensFor(stack, person, app, CONSENT);
    expect((await apiGet(stack, tokens.access_token, '/v1/trends')).status).toBe(200);
    const gid = claimsOf(tokens.access_token).gid as string;
    await stack.db.query(`DELETE FROM oauth_models WHERE model = 'Grant' AND id = $1`, [gid]);
    expect((await apiGet(stack, tokens.access_token, '/v1/trends')).status).toBe(200);
    stack.advance(31_000);
    await expectRevoked(tokens.access_token);
  });

  it('refuses another person from disconnecting an app they did not connect', async () => {
    const tokens = await tokensFor(stack, person, app, CONSENT);
    const gid = claimsOf(tokens.access_token).gid as string;
    const other = await signInWith(stack, 'apple', 'Sam Taylor');
    const del = await call(other.browser, stack.apiUrl, 'DELETE', `/v1/connections/${gid}`);
    expect(del.status).toBe(404);
    expect(await problemOf(del)).toMatchObject({ code: 'API_ERR_CONNECTION_NOT_FOUND' });
    expect((await refresh(stack, app, tokens.refresh_token as string)).status).toBe(200);
  });
});
