import type { ErrorCatalog } from '../../http/problem.js';

/** Errors of the organisation routes (docs/orgs.md). The marketer guard's own codes are common (api/src/errors.ts). */
export const ORGS_ERRORS = {
  API_ERR_ORG_NOT_FOUND: {
    status: 404,
    description:
      'No organisation with this id of which you are a member (another organisation answers the same).',
  },
  API_ERR_ORG_SLUG_TAKEN: {
    status: 409,
    description: 'Another organisation already has this slug; `slug` names it.',
  },
  API_ERR_ORG_ADMIN_REQUIRED: {
    status: 403,
    description: 'Only an `admin` of the organisation may change its members and their roles.',
  },
  API_ERR_ORG_LAST_ADMIN: {
    status: 409,
    description:
      'The change would leave the organisation without an `admin`: make another member admin first.',
  },
  API_ERR_ORG_ACCOUNT_NOT_FOUND: {
    status: 404,
    description: 'No account with this id (members are named by account id, never looked up by e-mail).',
  },
  API_ERR_ORG_MEMBER_NOT_FOUND: {
    status: 404,
    description: 'The account is not a member of this organisation.',
  },
} as const satisfies ErrorCatalog;
