// The households context's public surface: other modules and the composition root import only this file.
export type { HouseholdRole } from './repository.js';
export { createHouseholdsService, type HouseholdsService, householdsAccountMover } from './service.js';
