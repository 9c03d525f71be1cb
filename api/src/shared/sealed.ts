import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets that must stay recoverable (OAuth client secrets, webhook signing secrets) are encrypted at rest, not
 * hashed: AES-256-GCM with a fresh 96-bit nonce (NIST SP 800-38D §8.2.2), as `v1.<nonce>.<tag>.<ciphertext>`,
 * each base64url. Each context seals under its own key (`contextKey`), so one context's key opens nothing of
 * another's.
 */

/** A 256-bit key for one context, derived from a platform key (HKDF-SHA256, RFC 5869) with its own salt and info. */
export function contextKey(platformKey: Buffer, salt: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', platformKey, salt, info, 32));
}

export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function unseal(key: Buffer, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unknown sealed secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
