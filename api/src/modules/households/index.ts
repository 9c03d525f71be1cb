// The households context's public surface: other modules and the composition root import only this file.
// Gateway onboarding reads memberships through the repository until households offers a read service.
export { createHouseholdsRepository, type HouseholdRole, type MembershipRow } from './repository.js';
export { householdsAccountMover } from './service.js';
