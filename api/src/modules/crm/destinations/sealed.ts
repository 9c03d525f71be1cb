import { contextKey } from '../../../shared/sealed.js';

export { seal, unseal } from '../../../shared/sealed.js';

/** Webhook destination secrets at rest (api/src/shared/sealed.ts), under the CRM's own key. */
export function destinationSecretKey(platformKey: Buffer): Buffer {
  return contextKey(platformKey, 'linkwell-crm', 'crm-destination-secrets');
}
