import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { createGatewayAuthenticator, createGatewayTokenVerifier } from './gateway-auth.js';

function keys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const k = keys();
const sign = (claims: Record<string, unknown>, key = k.priv, expiresIn = 60_000) =>
  createSigner({ key, algorithm: 'ES256', iss: 'linkwell-api', aud: 'linkwell-mqtt', expiresIn })(claims);
const verify = createGatewayTokenVerifier(k.pub);
const pw = (s: string) => Buffer.from(s);

describe('gateway token verifier', () => {
  it('accepts gw_a with its own token', () => {
    expect(verify('gw_a', pw(sign({ sub: 'gw_a', typ: 'gateway' })))).toBe('gw_a');
  });

  it("refuses gw_b presenting gw_a's token", () => {
    expect(verify('gw_b', pw(sign({ sub: 'gw_a', typ: 'gateway' })))).toBeUndefined();
  });

  it('refuses a user token used as gateway credentials', () => {
    expect(verify('gw_a', pw(sign({ sub: 'gw_a', typ: 'user' })))).toBeUndefined();
  });

  it('refuses a token signed by another key', () => {
    expect(verify('gw_a', pw(sign({ sub: 'gw_a', typ: 'gateway' }, keys().priv)))).toBeUndefined();
  });

  it('refuses an expired token', async () => {
    const t = sign({ sub: 'gw_a', typ: 'gateway' }, k.priv, 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(verify('gw_a', pw(t))).toBeUndefined();
  });

  it('refuses a username with MQTT wildcards and garbage passwords', () => {
    expect(verify('gw/#', pw(sign({ sub: 'gw/#', typ: 'gateway' })))).toBeUndefined();
    expect(verify('gw_a', pw('not-a-jwt'))).toBeUndefined();
    expect(verify('gw_a', undefined)).toBeUndefined();
  });

  it('refuses a revoked gateway', () => {
    const v = createGatewayTokenVerifier(k.pub, { isRevoked: (gw) => gw === 'gw_a' });
    expect(v('gw_a', pw(sign({ sub: 'gw_a', typ: 'gateway' })))).toBeUndefined();
  });
});

describe('gateway authenticator: coded refusals', () => {
  const auth = createGatewayAuthenticator(k.pub, { isRevoked: (gw) => gw === 'gw_revoked' });
  const codeOf = (user: string, token: string) => {
    const r = auth(user, pw(token));
    return r.ok ? 'ok' : r.code;
  };

  it('accepts a valid token and reports when it expires', () => {
    const r = auth('gw_a', pw(sign({ sub: 'gw_a', typ: 'gateway' })));
    expect(r).toMatchObject({ ok: true, gw: 'gw_a' });
    expect(r.ok && r.expiresAt - Date.now()).toBeGreaterThan(50_000);
  });

  it('says INGEST_ERR_TOKEN_EXPIRED for an expired token and _BAD_CREDENTIALS for a forged one', () => {
    const expired = createSigner({
      key: k.priv,
      algorithm: 'ES256',
      iss: 'linkwell-api',
      aud: 'linkwell-mqtt',
      expiresIn: 1000,
      clockTimestamp: Date.now() - 60_000,
    })({ sub: 'gw_a', typ: 'gateway' });
    expect(codeOf('gw_a', expired)).toBe('INGEST_ERR_TOKEN_EXPIRED');
    expect(codeOf('gw_a', sign({ sub: 'gw_a', typ: 'gateway' }, keys().priv))).toBe(
      'INGEST_ERR_BAD_CREDENTIALS',
    );
  });

  it('says INGEST_ERR_TOKEN_REVOKED for a valid token of a revoked gateway', () => {
    expect(codeOf('gw_revoked', sign({ sub: 'gw_revoked', typ: 'gateway' }))).toBe(
      'INGEST_ERR_TOKEN_REVOKED',
    );
  });

  it('refuses an unsigned (alg none) token, an HS256 token keyed with the public key, and other audiences', () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { sub: 'gw_a', typ: 'gateway', iss: 'linkwell-api', aud: 'linkwell-mqtt', exp: 9e9 };
    expect(codeOf('gw_a', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`)).toBe(
      'INGEST_ERR_BAD_CREDENTIALS',
    );
    const hs = createSigner({ key: k.pub, algorithm: 'HS256' })(claims);
    expect(codeOf('gw_a', hs)).toBe('INGEST_ERR_BAD_CREDENTIALS');
    const otherAud = createSigner({ key: k.priv, algorithm: 'ES256', iss: 'linkwell-api', aud: 'other' })({
      sub: 'gw_a',
      typ: 'gateway',
      exp: 9e9,
    });
    expect(codeOf('gw_a', otherAud)).toBe('INGEST_ERR_BAD_CREDENTIALS');
  });

  it('refuses a password over 4 KiB without parsing it', () => {
    expect(auth('gw_a', Buffer.alloc(5000, 'a'))).toMatchObject({
      ok: false,
      code: 'INGEST_ERR_BAD_CREDENTIALS',
      reason: 'token over 4096 bytes',
    });
  });
});
