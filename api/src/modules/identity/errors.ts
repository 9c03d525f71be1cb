import type { ErrorCatalog } from '../../http/problem.js';

export const IDENTITY_ERRORS = {
  API_ERR_IDENTITY_IN_USE: {
    status: 409,
    description:
      'The identity being linked belongs to another account; `merge_offer` names an offer to merge that account into this one (POST /v1/me/merges).',
  },
  API_ERR_IDENTITY_NOT_FOUND: {
    status: 404,
    description: 'No identity with this id belongs to the calling account.',
  },
  API_ERR_LAST_IDENTITY: {
    status: 409,
    description:
      'An account must keep at least one identity to sign in with; link another before unlinking this one.',
  },
  API_ERR_MERGE_OFFER_INVALID: {
    status: 404,
    description:
      'No unused, unexpired merge offer with this id was made to the calling account (offers live 10 minutes).',
  },
  API_ERR_MERGE_NOT_FOUND: {
    status: 404,
    description: 'No merge with this id has the calling account as the surviving account.',
  },
  API_ERR_MERGE_UNDO_EXPIRED: {
    status: 410,
    description: 'A merge can be undone for 30 days; this one is older.',
  },
  API_ERR_MERGE_ALREADY_UNDONE: {
    status: 409,
    description: 'This merge was already undone.',
  },
  API_ERR_MERGE_CONFLICT: {
    status: 409,
    description:
      'The merge cannot be undone exactly because a later merge into the same account is still in effect (`blocking_merge`); undo that one first.',
  },
} as const satisfies ErrorCatalog;
