// The households context's public surface: other modules and the composition root import only this file.
import type { FastifyPluginAsync } from 'fastify';
import { type HouseholdsRoutesOptions, householdsRoutes } from './routes.js';

export { HOUSEHOLDS_ERRORS } from './errors.js';
export type { HouseholdRole } from './repository.js';
export {
  createHouseholdManagement,
  createHouseholdsService,
  type HouseholdManagement,
  type HouseholdsService,
  householdsAccountMover,
  INVITE_LIFETIME_MS,
} from './service.js';

/** Households their members manage: create, rename, invite, join, leave, remove, transfer ownership. */
export const householdsModule: FastifyPluginAsync<HouseholdsRoutesOptions> = async (app, opts) => {
  await app.register(householdsRoutes, opts);
};
