import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The key that encrypts webhook secrets at rest, derived (HKDF, RFC 5869) from a platform key with its own
 * `info`, so it is independent of the key the oauth context seals client secrets with. Webhook secrets must be
 * kept recoverable (every delivery signs with them), so they are encrypted, not hashed.
 */
export function webhookSecretKey(platformKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', platformKey, 'linkwell-webhooks', 'webhook-secrets', 32));
}

/** AES-256-GCM with a fresh 96-bit nonce (NIST SP 800-38D §8.2.2): `v1.<nonce>.<tag>.<ciphertext>`. */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    data.toString('base64url'),
  ].join('.');
}

export function unseal(key: Buffer, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unknown sealed secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
