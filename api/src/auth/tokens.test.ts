import { createDecoder, createVerifier } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { generateSigningKeys } from './keys.js';
import { createTokenIssuer } from './tokens.js';

const keys = generateSigningKeys();
const NOW = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const issuer = createTokenIssuer(keys, { now: () => NOW });
const decodeComplete = createDecoder({ complete: true });

describe('createTokenIssuer', () => {
  it('signs a user token for acct_demo that reads every data family, changes nothing, for one hour', () => {
    const { header, payload } = decodeComplete(issuer.userToken('acct_demo'));
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT' });
    expect(payload).toEqual({
      sub: 'acct_demo',
      typ: 'user',
      scope:
        'heart_rate.read blood_pressure.read body.read spo2.read temperature.read trends.read devices.read profile.read',
      iss: 'linkwell-api',
      iat: 1_704_067_200,
      exp: 1_704_070_800,
    });
  });

  it('signs a user token with no scopes and a 60 s lifetime', () => {
    const { payload } = decodeComplete(issuer.userToken('acct_1', { scopes: [], ttlSeconds: 60 }));
    expect(payload).toMatchObject({ scope: '', exp: 1_704_067_260 });
  });

  it('signs a gateway token for gw_demo with audience linkwell-mqtt for 30 days', () => {
    const { payload } = decodeComplete(issuer.gatewayToken('gw_demo'));
    expect(payload).toEqual({
      sub: 'gw_demo',
      typ: 'gateway',
      aud: 'linkwell-mqtt',
      iss: 'linkwell-api',
      iat: 1_704_067_200,
      exp: 1_706_659_200,
    });
  });

  it('produces a gateway token the broker verifies offline with only the public key', () => {
    const verify = createVerifier({
      key: keys.publicKeyPem,
      algorithms: ['ES256'],
      allowedIss: 'linkwell-api',
      allowedAud: 'linkwell-mqtt',
      requiredClaims: ['exp', 'sub', 'typ'],
      clockTimestamp: NOW + 1000,
    });
    expect(verify(issuer.gatewayToken('gw_demo'))).toMatchObject({ sub: 'gw_demo', typ: 'gateway' });
  });

  it('rejects a zero ttl', () => {
    expect(() => issuer.userToken('acct_1', { ttlSeconds: 0 })).toThrow(RangeError);
  });
});
