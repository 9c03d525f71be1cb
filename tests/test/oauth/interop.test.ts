import { OAuth2Client } from '@badgateway/oauth2-client';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, type SignedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { apiGet, claimsOf, postForm, refresh } from '../../src/oauth/attack.js';
import { clientConfig, connectApp, followToApp, registerApp, signInAs } from '../../src/oauth/kit.js';

const DATA = 'heart_rate.read trends.read';

// Two independent client libraries, used as their documentation shows, against the unmodified server: the
// protocol surface (RFC 6749, 7636, 7009, 7662, 8414, OIDC Core/Discovery) is what they rely on.
describe('openid-client and @badgateway/oauth2-client work against the server unchanged', () => {
  let stack: IdentityStack;
  let person: SignedIn;
  let developer: SignedIn;

  beforeAll(async () => {
    stack = await startIdentityStack();
    developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('openid-client: code + PKCE, userinfo, refresh, introspection and revocation', async () => {
    const app = await registerApp(stack, developer);
    const { config, tokens } = await connectApp(stack, person, app, {
      scope: `openid offline_access ${DATA}`,
    });
    const sub = tokens.claims()?.sub as string;
    expect(sub).toBe(claimsOf(tokens.access_token).sub);
    expect(await oidc.fetchUserInfo(config, tokens.access_token, sub)).toEqual({ sub });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await apiGet(stack, refreshed.access_token, '/v1/trends')).status).toBe(200);

    const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(introspected).toMatchObject({ active: true, sub, client_id: app.client_id, scope: DATA });
    const rt = await oidc.tokenIntrospection(config, refreshed.refresh_token as string);
    expect(rt).toMatchObject({ active: true, sub, client_id: app.client_id });

    await oidc.tokenRevocation(config, refreshed.refresh_token as string);
    expect(await oidc.tokenIntrospection(config, refreshed.refresh_token as string)).toEqual({
      active: false,
    });
    expect((await refresh(stack, app, refreshed.refresh_token as string)).body).toMatchObject({
      error: 'invalid_grant',
    });
    // RFC 7009 §2.1: revoking the refresh token ends the grant, so its access tokens stop too.
    expect(await oidc.tokenIntrospection(config, refreshed.access_token)).toEqual({ active: false });
    expect((await apiGet(stack, refreshed.access_token, '/v1/trends')).status).toBe(401);
  });

  it('@badgateway/oauth2-client: discovery, code + PKCE, refresh, introspection and revocation', async () => {
    const app = await registerApp(stack, developer, { authMethod: 'client_secret_basic' });
    const client = new OAuth2Client({
      server: stack.apiUrl,
      clientId: app.client_id,
      clientSecret: app.client_secret as string,
      authenticationMethod: 'client_secret_basic',
    });
    const codeVerifier = await import('@badgateway/oauth2-client').then((m) => m.generateCodeVerifier());
    const state = 'bgw-state-1';
    const start = await client.authorizationCode.getAuthorizeUri({
      redirectUri: app.redirect_uri,
      state,
      codeVerifier,
      scope: DATA.split(' '),
    });
    expect(new URL(start).searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await followToApp(stack, person.browser, start, app.redirect_uri, undefined);
    const token = await client.authorizationCode.getTokenFromCodeRedirect(callback, {
      redirectUri: app.redirect_uri,
      state,
      codeVerifier,
    });
    // No `openid`: plain OAuth 2.0, which always gets a refresh token (docs/oauth.md).
    expect(token.refreshToken).toBeTypeOf('string');
    expect((await apiGet(stack, token.accessToken, '/v1/trends')).status).toBe(200);

    const next = await client.refreshToken(token);
    expect(next.refreshToken).not.toBe(token.refreshToken);
    const info = await client.introspect(next);
    expect(info).toMatchObject({ active: true, client_id: app.client_id, scope: DATA });
    expect(info.sub).toBe(claimsOf(next.accessToken).sub);

    await client.revoke(next, 'refresh_token');
    await expect(client.refreshToken(next)).rejects.toMatchObject({
      oauth2Code: 'invalid_grant',
      httpCode: 400,
    });
    expect(await client.introspect(next)).toEqual({ active: false });
  });

  // A native or browser app (RFC 8252): no secret, PKCE is its only proof (OAuth 2.0 Security BCP §2.1.1).
  it('openid-client as a public client: code + PKCE and refresh without a secret, and no client_credentials', async () => {
    const app = await registerApp(stack, developer, { type: 'public' });
    expect(app.client_secret).toBeNull();
    const { config, tokens } = await connectApp(stack, person, app, {
      scope: `openid offline_access ${DATA}`,
    });
    expect((await apiGet(stack, tokens.access_token, '/v1/trends')).status).toBe(200);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect((await apiGet(stack, refreshed.access_token, '/v1/trends')).status).toBe(200);
    const cc = await postForm(
      stack,
      '/oauth2/token',
      { grant_type: 'client_credentials', resource: `${stack.apiUrl}/v1` },
      { app },
    );
    // RFC 6749 §5.2 would say unauthorized_client; oidc-provider answers invalid_request for a grant type the
    // client did not register. Either way nothing is issued.
    expect(cc.status).toBe(400);
    expect(cc.body).toEqual({
      error: 'invalid_request',
      error_description: 'requested grant type is not allowed for this client',
    });
  });

  // RFC 6749 §4.4 with RFC 8707's `resource`: a partner back end acting as itself, never as a person.
  it('client_credentials with resource gives a token whose sub is the client, refused on person routes', async () => {
    const partner = await registerApp(stack, developer, { clientCredentials: true });
    const resource = `${stack.apiUrl}/v1`;

    const config = await clientConfig(stack, partner);
    const viaOidc = await oidc.clientCredentialsGrant(config, { resource, scope: 'trends.read' });
    const client = new OAuth2Client({
      server: stack.apiUrl,
      clientId: partner.client_id,
      clientSecret: partner.client_secret as string,
      authenticationMethod: 'client_secret_post',
    });
    const viaBgw = await client.clientCredentials({ resource, scope: ['trends.read'] });

    for (const accessToken of [viaOidc.access_token, viaBgw.accessToken]) {
      expect(claimsOf(accessToken)).toMatchObject({
        sub: partner.client_id,
        client_id: partner.client_id,
        aud: resource,
        scope: 'trends.read',
      });
      expect(claimsOf(accessToken)).not.toHaveProperty('gid');
      const res = await fetch(`${stack.apiUrl}/v1/trends`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(res.status).toBe(403);
      expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_PERSON_REQUIRED' });
      const userinfo = await fetch(`${stack.apiUrl}/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(userinfo.status).toBe(401);
      expect(await userinfo.json()).toMatchObject({ error: 'invalid_token' });
    }
  });
});
