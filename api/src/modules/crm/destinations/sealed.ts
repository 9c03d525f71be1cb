import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Webhook destination secrets at rest: AES-256-GCM (NIST SP 800-38D, a fresh 96-bit nonce each time) under a
 * key derived (HKDF, RFC 5869) from the platform key with this context's own `info`, so it is independent of
 * the keys other contexts seal with. They must stay recoverable (every delivery signs with them), so they are
 * encrypted, not hashed. The webhooks context does the same in its own sealed.ts, which its index does not
 * export: this is a small repeat of it.
 */
export function destinationSecretKey(platformKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', platformKey, 'linkwell-crm', 'crm-destination-secrets', 32));
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
