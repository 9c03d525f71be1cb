// The consents context's public surface (docs/consents.md, issue 16): a person's consent per purpose × data
// category × recipient, and the ConsentService the CRM asks before it computes or syncs anything.
import type { FastifyPluginAsync } from 'fastify';
import { type ConsentsRoutesOptions, consentsRoutes } from './routes.js';

export { CONSENTS_ERRORS } from './errors.js';
export {
  BASE_PURPOSES,
  type BasePurpose,
  CONSENT_CATEGORIES,
  CONSENT_CHANNELS,
  type ConsentCategory,
  type ConsentChannel,
  isOnByDefault,
  PARTNER_ID,
  PLATFORM_RECIPIENT,
  type Purpose,
  parsePurpose,
} from './purposes.js';
export {
  type ConsentManagement,
  type ConsentService,
  type ConsentState,
  createConsentManagement,
  createConsentService,
} from './service.js';
export { CONSENT_LOCALES, type ConsentText, currentTexts, sha256Hex } from './texts.js';
export type { ConsentsRoutesOptions };

/** GET/PUT /v1/consents, GET /v1/consents/history, POST /v1/consents/withdraw. */
export const consentsModule: FastifyPluginAsync<ConsentsRoutesOptions> = async (app, opts) => {
  await app.register(consentsRoutes, opts);
};
