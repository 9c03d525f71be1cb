import { createHmac, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import type { SigningKeys } from '@linkwell/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, type SignedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { claimsOf, type TokenSet, tokensFor } from '../../src/oauth/attack.js';
import { type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An ES256 JWS (RFC 7518 §3.4: the signature is r‖s, not DER). */
function es256(keys: SigningKeys, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'ES256', ...header })}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: createPrivateKey(keys.privateKeyPem),
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

function hs256(secret: string, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

// RFC 9068 §4 and RFC 8725 (JWT BCP) §3.1–3.3: the resource server pins the algorithm and the key, and checks
// issuer, audience and expiry; each test below changes exactly one of them on an otherwise valid token.
describe('the resource server refuses forged and misdirected access tokens', () => {
  let stack: IdentityStack & { oauthKeys: SigningKeys };
  let person: SignedIn;
  let app: RegisteredApp;
  let real: TokenSet;
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    stack = await startIdentityStack();
    const developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    app = await registerApp(stack, developer);
    real = await tokensFor(stack, person, app, { scope: 'openid heart_rate.read trends.read' });
    claims = claimsOf(real.access_token);
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function answer(token: string) {
    const res = await fetch(`${stack.apiUrl}/v1/trends`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 200) return { status: 200 };
    // The HTTP status and the problem's own `status` must agree; the problem's is the one asserted.
    const problem = await problemOf(res);
    expect(problem.status).toBe(res.status);
    return problem;
  }
  const header = () => ({
    typ: 'at+jwt',
    kid: JSON.parse(Buffer.from(real.access_token.split('.')[0]!, 'base64url').toString()).kid,
  });

  it('accepts a token re-signed with the authorization server key (the control for every forgery)', async () => {
    expect(await answer(es256(stack.oauthKeys, header(), claims))).toEqual({ status: 200 });
  });

  it('refuses a token for another audience with 401 invalid_claims', async () => {
    const forged = es256(stack.oauthKeys, header(), { ...claims, aud: 'https://other.example/v1' });
    expect(await answer(forged)).toMatchObject({
      status: 401,
      code: 'API_ERR_UNAUTHORIZED',
      reason: 'invalid_claims',
    });
  });

  it('refuses a token from another issuer signed with the right key with 401 invalid_claims', async () => {
    const forged = es256(stack.oauthKeys, header(), { ...claims, iss: 'https://evil.example' });
    expect(await answer(forged)).toMatchObject({
      status: 401,
      code: 'API_ERR_UNAUTHORIZED',
      reason: 'invalid_claims',
    });
  });

  it('refuses an unsigned alg:none token with 401 invalid_signature', async () => {
    const forged = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`;
    expect(await answer(forged)).toMatchObject({
      status: 401,
      code: 'API_ERR_UNAUTHORIZED',
      reason: 'invalid_signature',
    });
  });

  it('refuses HS256 keyed with the public key as PEM with 401 invalid_signature', async () => {
    const forged = hs256(stack.oauthKeys.publicKeyPem, claims);
    expect(await answer(forged)).toMatchObject({
      status: 401,
      code: 'API_ERR_UNAUTHORIZED',
      reason: 'invalid_signature',
    });
  });

  it('refuses HS256 keyed with the published JWK with 401 invalid_signature', async () => {
    const jwks = (await (await fetch(`${stack.apiUrl}/oauth2/jwks`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    const jwk = jwks.keys[0]!;
    expect(jwk).toMatchObject(createPublicKey(stack.oauthKeys.publicKeyPem).export({ format: 'jwk' }));
    for (const secret of [JSON.stringify(jwk), String(jwk.x)]) {
      expect(await answer(hs256(secret, claims))).toMatchObject({ status: 401, reason: 'invalid_signature' });
    }
  });

  it('refuses a typ at+jwt token signed with the first-party key under a wrong issuer with 401', async () => {
    const forged = es256(stack.keys, { typ: 'at+jwt' }, { ...claims, iss: 'linkwell-api' });
    expect(await answer(forged)).toMatchObject({
      status: 401,
      code: 'API_ERR_UNAUTHORIZED',
      reason: 'invalid_signature',
    });
    // With the right issuer the key is still not the authorization server's.
    const sameIss = es256(stack.keys, { typ: 'at+jwt' }, claims);
    expect(await answer(sameIss)).toMatchObject({ status: 401, reason: 'invalid_signature' });
  });

  it('refuses an ID token presented as an access token with 401', async () => {
    expect(real.id_token).toBeTypeOf('string');
    expect(await answer(real.id_token as string)).toMatchObject({
      status: 401,
      code: 'API_ERR_UNAUTHORIZED',
    });
  });

  it('refuses a token naming another client than the one its sub was issued for with 401 invalid_claims', async () => {
    const developer = await signInAs(stack, 'Li Wei');
    const other = await registerApp(stack, developer);
    const forged = es256(stack.oauthKeys, header(), { ...claims, client_id: other.client_id });
    expect(await answer(forged)).toMatchObject({ status: 401, reason: 'invalid_claims' });
  });

  // RFC 9068 §4: "MUST reject ... if the token has expired"; the access-token TTL is 600 s.
  it('refuses the real token with 401 expired once 601 s of API time have passed', async () => {
    expect(await answer(real.access_token)).toEqual({ status: 200 });
    stack.advance(601_000);
    expect(await answer(real.access_token)).toMatchObject({
      status: 401,
      code: 'API_ERR_UNAUTHORIZED',
      reason: 'expired',
    });
  });
});
