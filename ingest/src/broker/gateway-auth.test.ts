import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { createGatewayTokenVerifier } from './gateway-auth.js';

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
