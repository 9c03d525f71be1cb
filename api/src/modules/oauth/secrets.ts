import {
  createHash,
  createHmac,
  createPrivateKey,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningKeys } from '../../auth/keys.js';
import { seal, unseal } from '../../shared/sealed.js';

/**
 * Everything secret the authorization server needs, derived from its one ES256 key: the signing JWK, cookie keys,
 * the pairwise pepper and the key that encrypts client secrets at rest. One secret to keep and rotate; HKDF
 * (RFC 5869) with a distinct `info` per use keeps the derived keys independent.
 */
export interface OAuthSecrets {
  jwk: JWK & { kid: string };
  cookieKeys: string[];
  pairwisePepper: Buffer;
  secretKey: Buffer;
}

export function deriveOAuthSecrets(keys: SigningKeys): OAuthSecrets {
  const key = createPrivateKey(keys.privateKeyPem);
  const jwk = key.export({ format: 'jwk' }) as JWK;
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', der, 'linkwell-oauth', info, 32));
  // RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, as the key id.
  const members = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const kid = createHash('sha256').update(members).digest('base64url');
  return {
    jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' },
    cookieKeys: [derive('cookies').toString('base64url')],
    pairwisePepper: derive('pairwise'),
    secretKey: derive('client-secrets'),
  };
}

/**
 * The pairwise subject (OIDC Core §8.1): HMAC-SHA256 of sector and account under a server-side pepper, so two
 * sectors never share a `sub` and nobody without the pepper can go from `sub` to account.
 */
export function pairwiseSubject(pepper: Buffer, sector: string, accountId: string): string {
  return createHmac('sha256', pepper).update(`${sector}\u0000${accountId}`).digest('base64url');
}

/** A new client secret: 256 random bits (RFC 6749 §10.10 asks for enough entropy to resist guessing). */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Client secrets at rest: AES-256-GCM (api/src/shared/sealed.ts) under the oauth context's key. */
export const encryptSecret = seal;
export const decryptSecret = unseal;

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
