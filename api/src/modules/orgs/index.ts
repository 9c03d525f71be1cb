// The orgs context's public surface (docs/orgs.md): organisations, their members' roles, and the marketer
// session. Other modules import only this file; issue 17's partner organisations reuse OrgService.
export { ORGS_ERRORS } from './errors.js';
export { orgsAccountMover } from './mover.js';
export { ORG_ROLES, type OrgRole } from './repository.js';
export { type OrgsRoutesOptions, orgsRoutes as orgsModule } from './routes.js';
export { createOrgService, type OrgService, type OrgView } from './service.js';
