import type { FastifyPluginAsync } from 'fastify';
import { type IdentityRoutesOptions, identityRoutes } from './routes.js';

export { contactClaimsOf } from './contacts.js';
export { IDENTITY_ERRORS } from './errors.js';
export { createMergeService, type MergeService, UNDO_WINDOW_MS } from './merge-service.js';
export { createIdentityService, IdentityRace, type IdentityService } from './service.js';

/** Accounts, their identities, link suggestions and reversible merges. */
export const identityModule: FastifyPluginAsync<IdentityRoutesOptions> = async (app, opts) => {
  await app.register(identityRoutes, opts);
};
