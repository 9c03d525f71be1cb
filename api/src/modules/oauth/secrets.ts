import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningKeys } from '../../auth/keys.js';

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

/** AES-256-GCM with a fresh 96-bit nonce; `v1.<nonce>.<tag>.<ciphertext>`, each base64url. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decryptSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unknown client secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
