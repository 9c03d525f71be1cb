import { createPrivateKey, sign as edSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks v1.0.0 ("Signature scheme"): symmetric secrets are `whsec_` + base64 of 24 to 64 random
 * bytes; we use 32 (the HMAC-SHA256 block size halved, as the spec's examples do).
 */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface Ed25519Pair {
  /** PKCS#8 DER, base64: what the platform keeps (encrypted). */
  privateKey: string;
  /** `whpk_` + base64 of the raw 32-byte public key (Standard Webhooks "Asymmetric signatures"). */
  publicKey: string;
}

export function newEd25519Pair(): Ed25519Pair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: `whpk_${raw.toString('base64')}`,
  };
}

export interface SigningKeys {
  /** Every active `whsec_` secret; during a rotation there are two and each adds a `v1,` entry. */
  secrets: readonly string[];
  /** PKCS#8 DER base64 of the endpoint's Ed25519 key, when it has one: adds a `v1a,` entry. */
  ed25519?: string | null | undefined;
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The three Standard Webhooks headers for one attempt. The signed content is `{id}.{timestamp}.{body}`
 * (spec "Signature scheme"); several signatures are space-separated so a receiver holding either secret of a
 * rotation accepts the message. The HMAC entries come from the `standardwebhooks` package itself.
 */
export function signatureHeaders(id: string, at: Date, body: string, keys: SigningKeys): WebhookHeaders {
  if (keys.secrets.length === 0 && !keys.ed25519) throw new Error('an endpoint without a signing key');
  const entries = keys.secrets.map((s) => new Webhook(s).sign(id, at, body));
  const seconds = Math.floor(at.getTime() / 1000);
  if (keys.ed25519) {
    const key = createPrivateKey({ key: Buffer.from(keys.ed25519, 'base64'), format: 'der', type: 'pkcs8' });
    const signature = edSign(null, Buffer.from(`${id}.${seconds}.${body}`), key);
    entries.push(`v1a,${signature.toString('base64')}`);
  }
  return { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': entries.join(' ') };
}
