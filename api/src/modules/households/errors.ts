import type { ErrorCatalog } from '../../http/problem.js';

export const HOUSEHOLDS_ERRORS = {
  API_ERR_HOUSEHOLD_NOT_FOUND: {
    status: 404,
    description:
      'The calling account is not a member of a household with this id; whether such a household exists is not revealed.',
  },
  API_ERR_HOUSEHOLD_ROLE_REQUIRED: {
    status: 403,
    description:
      "The caller's role in this household does not allow this; `required` lists the roles that may (renaming, removing members and transferring ownership are the owner's).",
  },
  API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND: {
    status: 404,
    description: 'No member with this account id belongs to this household.',
  },
  API_ERR_HOUSEHOLD_LAST_OWNER: {
    status: 409,
    description:
      'The last owner cannot leave while other members remain; transfer ownership first (POST /v1/households/{id}/transfer).',
  },
  API_ERR_HOUSEHOLD_MEMBER_PROTECTED: {
    status: 409,
    description:
      'This member cannot be removed this way: owners are not removed by others, and the caller leaves with POST /v1/households/{id}/leave.',
  },
  API_ERR_HOUSEHOLD_TRANSFER_INVALID: {
    status: 409,
    description: 'Ownership can only be handed to another member whose role is adult.',
  },
  API_ERR_HOUSEHOLD_ALREADY_MEMBER: {
    status: 409,
    description:
      'The calling account is already a member of the household this invite is for; the invite stays unused.',
  },
  API_ERR_INVITE_NOT_FOUND: {
    status: 404,
    description:
      'No invite has this code (accept), or no invite with this id belongs to this household (list, revoke).',
  },
  API_ERR_INVITE_EXPIRED: {
    status: 410,
    description: 'The invite expired unused (invites live 7 days); ask for a new one.',
  },
  API_ERR_INVITE_USED: {
    status: 409,
    description: 'The invite was already used; each invite admits one person.',
  },
  API_ERR_INVITE_REVOKED: {
    status: 410,
    description: 'The invite was revoked by a member of the household.',
  },
} as const satisfies ErrorCatalog;
