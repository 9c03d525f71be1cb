import { contextKey } from '../../shared/sealed.js';

export { seal, unseal } from '../../shared/sealed.js';

/**
 * The key that encrypts webhook secrets at rest (api/src/shared/sealed.ts), independent of the key the oauth
 * context seals client secrets with. Webhook secrets must be kept recoverable (every delivery signs with them).
 */
export function webhookSecretKey(platformKey: Buffer): Buffer {
  return contextKey(platformKey, 'linkwell-webhooks', 'webhook-secrets');
}
