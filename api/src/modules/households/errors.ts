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
  API_ERR_HOUSEHOLD_NOT_DEPENDENT: {
    status: 409,
    description:
      'This member is not a dependent (dependents are renamed and handed over by the adults who manage them); `role` is theirs.',
  },
  API_ERR_DEPENDENT_MANAGER_REQUIRED: {
    status: 403,
    description: 'Only the household owner or the adult who manages this dependent may do this.',
  },
  API_ERR_HANDOVER_NOT_FOUND: {
    status: 404,
    description:
      'No handover has this code (accept) or this id in this household (revoke), or the account it was for is no longer a dependent there.',
  },
  API_ERR_HANDOVER_EXPIRED: {
    status: 410,
    description:
      'The handover code expired unused (codes live 3 days); ask the managing adult for a new one.',
  },
  API_ERR_HANDOVER_USED: {
    status: 409,
    description: 'The handover code was already used; each code hands an account over once.',
  },
  API_ERR_HANDOVER_REVOKED: {
    status: 410,
    description: 'The handover code was revoked by the managing adult or the owner.',
  },
  API_ERR_HANDOVER_SELF: {
    status: 409,
    description:
      "The adult who manages the dependent (or made the code) cannot accept it: that would merge their own account into the dependent's.",
  },
  API_ERR_SHARE_WITH_SELF: {
    status: 409,
    description: 'A member always sees their own data; sharing is with another member.',
  },
} as const satisfies ErrorCatalog;
