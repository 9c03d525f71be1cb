import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { GATEWAY_TOKEN_AUDIENCE, TOKEN_ALGORITHM, TOKEN_ISSUER } from '@linkwell/firmware-protocol';
import type { FleetCredentials } from './options.js';

export interface GatewayTokenOptions {
  /** Token lifetime; a day by default, far longer than any load test. */
  ttlSeconds?: number;
  /** Epoch ms; injectable so a test can mint an expired token. */
  now?: () => number;
}

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function p256Key(privateKeyPem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new TypeError(`signing key is not a PEM private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new TypeError(`${TOKEN_ALGORITHM} needs a P-256 EC private key`);
  return key;
}

/**
 * Mints the gateway tokens the API would issue (same claims: sub = gateway id, typ "gateway", the shared
 * issuer and audience, iat and exp in seconds) with node:crypto, so device-sim needs no JWT library.
 * JOSE wants the raw r||s signature (IEEE P1363), not DER.
 */
export function createGatewayTokenSigner(
  privateKeyPem: string,
  opts: GatewayTokenOptions = {},
): (gatewayId: string) => string {
  const key = p256Key(privateKeyPem);
  const ttl = opts.ttlSeconds ?? 24 * 3600;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new RangeError('ttlSeconds must be a positive integer');
  const now = opts.now ?? Date.now;
  const header = b64url(JSON.stringify({ alg: TOKEN_ALGORITHM, typ: 'JWT' }));
  return (gatewayId) => {
    const iat = Math.floor(now() / 1000);
    const claims = {
      sub: gatewayId,
      typ: 'gateway',
      iss: TOKEN_ISSUER,
      aud: GATEWAY_TOKEN_AUDIENCE,
      iat,
      exp: iat + ttl,
    };
    const input = `${header}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  };
}

/** Credentials as ingest expects them: username = gateway id, password = a token whose subject it is. */
export function gatewayTokenCredentials(
  privateKeyPem: string,
  opts: GatewayTokenOptions = {},
): FleetCredentials {
  const mint = createGatewayTokenSigner(privateKeyPem, opts);
  return (gatewayId) => ({ username: gatewayId, password: mint(gatewayId) });
}
