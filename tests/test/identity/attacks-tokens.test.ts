import { createHmac } from 'node:crypto';
import { createTokenIssuer, generateSigningKeys, TOKEN_ISSUER } from '@linkwell/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, type SignedIn, signedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack, personId, startIdentityStack } from '../../src/identity/index.js';

const ALEX = personId('google', 'Alex Morgan');

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('forged, expired and confused bearer tokens', () => {
  let stack: IdentityStack;
  let alex: SignedIn;

  beforeAll(async () => {
    stack = await startIdentityStack();
    alex = await signedIn(stack, 'google', ALEX);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const claims = () => {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: alex.accountId,
      typ: 'user',
      scope: 'account',
      iss: TOKEN_ISSUER,
      iat: now,
      exp: now + 600,
    };
  };
  const me = (token: string) =>
    fetch(`${stack.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  async function refused(token: string, reason: string): Promise<void> {
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="linkwell", error="invalid_token"');
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_UNAUTHORIZED', reason });
  }

  it('accepts a user token signed with the API key (control)', async () => {
    const token = createTokenIssuer(stack.keys).userToken(alex.accountId, { scopes: ['account'] });
    expect((await me(token)).status).toBe(200);
  });

  it('refuses an expired access token with API_ERR_UNAUTHORIZED reason expired', async () => {
    const past = createTokenIssuer(stack.keys, { now: () => Date.now() - 2 * 3600_000 });
    await refused(past.userToken(alex.accountId, { scopes: ['account'], ttlSeconds: 60 }), 'expired');
  });

  it('refuses a token signed by other keys with reason invalid_signature', async () => {
    const foreign = createTokenIssuer(generateSigningKeys());
    await refused(foreign.userToken(alex.accountId, { scopes: ['account'] }), 'invalid_signature');
  });

  it('refuses an alg none token with reason invalid_signature', async () => {
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, 'invalid_signature');
  });

  it("refuses an HS256 token keyed with the API's public key PEM with reason invalid_signature", async () => {
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
    const mac = createHmac('sha256', stack.keys.publicKeyPem).update(input).digest('base64url');
    await refused(`${input}.${mac}`, 'invalid_signature');
  });

  it('refuses a gateway token on /v1/me with reason wrong_token_type', async () => {
    await refused(createTokenIssuer(stack.keys).gatewayToken('gw_1'), 'wrong_token_type');
  });

  it('refuses a token that is not a JWT with reason malformed', async () => {
    await refused('not.a.jwt', 'malformed');
  });

  it('stops accepting an access token from POST /v1/auth/tokens after sign-out (reason session_revoked)', async () => {
    const session = await signedIn(stack, 'google', ALEX);
    const res = await call(session.browser, stack.apiUrl, 'POST', '/v1/auth/tokens');
    expect(res.status).toBe(200);
    const pair = (await res.json()) as TokenPair;
    expect((await me(pair.access_token)).status).toBe(200);
    expect((await call(session.browser, stack.apiUrl, 'POST', '/v1/auth/signout')).status).toBe(204);
    await refused(pair.access_token, 'session_revoked');
    const refresh = await rotate(pair.refresh_token);
    expect(refresh.status).toBe(401);
    expect(await problemOf(refresh)).toMatchObject({ code: 'API_ERR_REFRESH_TOKEN_INVALID' });
  });

  function rotate(refreshToken: string): Promise<Response> {
    return fetch(`${stack.apiUrl}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
  }

  async function freshPair(): Promise<{ session: SignedIn; pair: TokenPair }> {
    const session = await signedIn(stack, 'google', ALEX);
    const res = await call(session.browser, stack.apiUrl, 'POST', '/v1/auth/tokens');
    expect(res.status).toBe(200);
    return { session, pair: (await res.json()) as TokenPair };
  }

  it('revokes the family and the session when a refresh token is used twice (API_ERR_REFRESH_TOKEN_REUSED)', async () => {
    const { session, pair } = await freshPair();
    const first = await rotate(pair.refresh_token);
    expect(first.status).toBe(200);
    const next = (await first.json()) as TokenPair;
    expect(next.refresh_token).not.toBe(pair.refresh_token);

    const reuse = await rotate(pair.refresh_token);
    expect(reuse.status).toBe(401);
    expect(await problemOf(reuse)).toMatchObject({ code: 'API_ERR_REFRESH_TOKEN_REUSED' });

    // The newest refresh token, both access tokens and the cookie session all stopped working.
    const newest = await rotate(next.refresh_token);
    expect(newest.status).toBe(401);
    expect(await problemOf(newest)).toMatchObject({ code: 'API_ERR_REFRESH_TOKEN_INVALID' });
    await refused(next.access_token, 'session_revoked');
    await refused(pair.access_token, 'session_revoked');
    const cookie = await call(session.browser, stack.apiUrl, 'GET', '/v1/me');
    expect(cookie.status).toBe(401);
    expect(await problemOf(cookie)).toMatchObject({ reason: 'session_expired' });
    const { rows } = await stack.db.query<{ revoked_reason: string }>(
      'SELECT revoked_reason FROM sessions ORDER BY created_at DESC LIMIT 1',
    );
    expect(rows).toEqual([{ revoked_reason: 'refresh_token_reused' }]);
  });

  it('answers exactly one of two concurrent uses of one refresh token with 200', async () => {
    for (let round = 0; round < 3; round++) {
      const { pair } = await freshPair();
      const answers = await Promise.all([rotate(pair.refresh_token), rotate(pair.refresh_token)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
      const loser = answers.find((a) => a.status === 401)!;
      expect(await problemOf(loser)).toMatchObject({ code: 'API_ERR_REFRESH_TOKEN_REUSED' });
    }
  });
});
