import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { apiGet, claimsOf, postForm, refresh, type TokenSet, tokensFor } from '../../src/oauth/attack.js';
import { type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

// The Google Home / Alexa account-linking pattern: a partner cloud (confidential client) runs a plain OAuth 2.0
// code flow with no `openid`, keeps the refresh token, and may revoke it (RFC 7009) when the person unlinks.
const LINK_SCOPE = 'heart_rate.read trends.read';

interface EventRow {
  type: string;
  client_id: string;
  subject: string;
  payload: { grant_id: string; revoked_by: string };
}

describe('partner-cloud account linking', () => {
  let stack: IdentityStack;
  let person: SignedIn;
  let partner: RegisteredApp;
  let other: RegisteredApp;

  beforeAll(async () => {
    stack = await startIdentityStack();
    const developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    partner = await registerApp(stack, developer, {
      name: 'Partner cloud',
      authMethod: 'client_secret_post',
    });
    other = await registerApp(stack, developer, { name: 'Another partner' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function link(): Promise<TokenSet & { gid: string; sub: string }> {
    const tokens = await tokensFor(stack, person, partner, { scope: LINK_SCOPE });
    const claims = claimsOf(tokens.access_token);
    return { ...tokens, gid: claims.gid as string, sub: claims.sub as string };
  }

  async function connections(): Promise<string[]> {
    const res = await call(person.browser, stack.apiUrl, 'GET', '/v1/connections');
    expect(res.status).toBe(200);
    return ((await res.json()) as { connections: { grant_id: string }[] }).connections.map((c) => c.grant_id);
  }

  /** The connection events of a grant; the provider's grant.revoked handler writes them just after answering. */
  async function eventsOf(gid: string): Promise<EventRow[]> {
    for (let i = 0; i < 40; i++) {
      const { rows } = await stack.db.query<EventRow>(
        `SELECT type, client_id, subject, payload FROM oauth_connection_events WHERE payload->>'grant_id' = $1`,
        [gid],
      );
      if (rows.length > 0) return rows;
      await new Promise((r) => setTimeout(r, 50));
    }
    return [];
  }

  it('issues a refresh token without openid and no ID token', async () => {
    const tokens = await link();
    expect(tokens.refresh_token).toBeTypeOf('string');
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.scope).toBe(LINK_SCOPE);
    expect(await connections()).toContain(tokens.gid);
    // OIDC Core §5.3: UserInfo is for OpenID requests; this grant has no `openid`.
    const userinfo = await fetch(`${stack.apiUrl}/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).toBe(403);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="openid"/);
    expect(await userinfo.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('fails the partner refresh with invalid_grant once the person disconnects in Linkwell', async () => {
    const tokens = await link();
    const del = await call(person.browser, stack.apiUrl, 'DELETE', `/v1/connections/${tokens.gid}`);
    expect(del.status).toBe(204);
    const after = await refresh(stack, partner, tokens.refresh_token as string);
    expect(after).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await eventsOf(tokens.gid)).toEqual([
      {
        type: 'connection.revoked',
        client_id: partner.client_id,
        subject: tokens.sub,
        payload: { grant_id: tokens.gid, revoked_by: 'person' },
      },
    ]);
  });

  it('removes the connection and records connection.revoked when the partner revokes its refresh token', async () => {
    const tokens = await link();
    expect(await connections()).toContain(tokens.gid);
    const revoked = await postForm(
      stack,
      '/oauth2/revoke',
      { token: tokens.refresh_token as string, token_type_hint: 'refresh_token' },
      { app: partner },
    );
    expect(revoked.status).toBe(200);
    expect(await connections()).not.toContain(tokens.gid);
    expect(await eventsOf(tokens.gid)).toEqual([
      {
        type: 'connection.revoked',
        client_id: partner.client_id,
        subject: tokens.sub,
        payload: { grant_id: tokens.gid, revoked_by: 'client' },
      },
    ]);
    expect((await refresh(stack, partner, tokens.refresh_token as string)).body).toMatchObject({
      error: 'invalid_grant',
    });
    expect((await apiGet(stack, tokens.access_token, '/v1/trends')).status).toBe(401);
    const consents = (await (
      await call(person.browser, stack.apiUrl, 'GET', '/v1/consents/apps')
    ).json()) as {
      consents: { client_id: string; withdrawn_by: string | null }[];
    };
    expect(
      consents.consents.filter((c) => c.client_id === partner.client_id).map((c) => c.withdrawn_by),
    ).toContain('client');
  });

  // RFC 7009 §2.2: a token the caller may not revoke gets the same 200 as an unknown one, and stays valid.
  it('lets no other client revoke the partner’s refresh token', async () => {
    const tokens = await link();
    const attempt = await postForm(
      stack,
      '/oauth2/revoke',
      { token: tokens.refresh_token as string },
      { app: other },
    );
    expect(attempt.status).toBe(200);
    expect(await connections()).toContain(tokens.gid);
    expect((await refresh(stack, partner, tokens.refresh_token as string)).status).toBe(200);
  });
});
