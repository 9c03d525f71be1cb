import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { GATEWAY_TOKEN_AUDIENCE, TOKEN_ISSUER } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { createGatewayTokenSigner, gatewayTokenCredentials } from './gateway-token.js';

const pem = (curve: string) =>
  generateKeyPairSync('ec', {
    namedCurve: curve,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

describe('gateway tokens minted by the fleet', () => {
  const key = pem('P-256');
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);

  it('is an ES256 JWT with the claims the broker checks, signed as JOSE expects (r||s)', () => {
    const token = createGatewayTokenSigner(key, { ttlSeconds: 600, now: () => now })('fleet-gw-0042');
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(decode(h)).toEqual({ alg: 'ES256', typ: 'JWT' });
    expect(decode(p)).toEqual({
      sub: 'fleet-gw-0042',
      typ: 'gateway',
      iss: TOKEN_ISSUER,
      aud: GATEWAY_TOKEN_AUDIENCE,
      iat: now / 1000,
      exp: now / 1000 + 600,
    });
    const sig = Buffer.from(s, 'base64url');
    expect(sig).toHaveLength(64);
    const pub = createPublicKey(key);
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(
      true,
    );
    expect(verify('sha256', Buffer.from(`${h}.${p}x`), { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(
      false,
    );
  });

  it('logs each gateway in as itself', () => {
    const creds = gatewayTokenCredentials(key)('fleet-gw-0007')!;
    expect(creds.username).toBe('fleet-gw-0007');
    expect(decode(creds.password.split('.')[1]!).sub).toBe('fleet-gw-0007');
  });

  it('refuses keys that cannot make an ES256 signature', () => {
    expect(() => createGatewayTokenSigner(pem('P-384'))).toThrow(/P-256/);
    expect(() => createGatewayTokenSigner('not a key')).toThrow(TypeError);
    expect(() => createGatewayTokenSigner(key, { ttlSeconds: 0 })).toThrow(RangeError);
  });
});
