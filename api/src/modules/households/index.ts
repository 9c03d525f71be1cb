// The households context's public surface: other modules and the composition root import only this file.
import type { FastifyPluginAsync } from 'fastify';
import { memberRoutes } from './member-routes.js';
import { type HouseholdsRoutesOptions, householdsRoutes } from './routes.js';

export { HANDOVER_LIFETIME_MS, type HouseholdAccounts } from './dependents.js';

export { HOUSEHOLDS_ERRORS } from './errors.js';
export { householdMembership } from './membership.js';
export type { HouseholdRole } from './repository.js';
export {
  createHouseholdManagement,
  createHouseholdsService,
  type HouseholdManagement,
  type HouseholdsService,
  householdsAccountMover,
  INVITE_LIFETIME_MS,
} from './service.js';
export { visibleAccounts } from './sharing.js';

/** Households their members manage: create, rename, invite, join, leave, remove, transfer ownership, dependents and their handover, sharing. */
export const householdsModule: FastifyPluginAsync<HouseholdsRoutesOptions> = async (app, opts) => {
  await app.register(householdsRoutes, opts);
  await app.register(memberRoutes, opts);
};
