import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: device codes, refresh tokens, session cookies, sign-in `state`. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Secrets are stored as SHA-256 hex only. They carry 256 random bits, so an unsalted fast hash is enough:
 * a leaked table cannot be turned back into usable secrets.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Opaque ids with a type prefix, e.g. `gw_3k9x…`, `acct_…`. 96 random bits; `-` and `_` are replaced so
 * the ids also satisfy the MQTT topic id pattern and read well in URLs.
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}
