import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

const tags = ['households'];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_]+$' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Role = Type.Union([Type.Literal('owner'), Type.Literal('adult'), Type.Literal('dependent')]);
const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);

export const HouseholdSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  created_at: Time,
  role: Role,
  members: Type.Array(Type.Object({ account_id: Type.String(), display_name: Type.String(), role: Role })),
});

const inviteFields = {
  id: Type.String(),
  role: Type.Literal('adult'),
  status: Type.Union([
    Type.Literal('open'),
    Type.Literal('used'),
    Type.Literal('revoked'),
    Type.Literal('expired'),
  ]),
  created_by: Type.String(),
  created_at: Time,
  expires_at: Time,
  used_at: NullableTime,
  used_by: Type.Union([Type.String(), Type.Null()]),
  revoked_at: NullableTime,
};
export const InviteSchema = Type.Object(inviteFields);

const guarded = { security: BEARER_SECURITY, tags };
const errors = { ...protectedRouteErrors, 404: ProblemResponse, 409: ProblemResponse };
const params = Type.Object({ id: Id });

export const createRoute = {
  ...guarded,
  summary: 'Create a household; the caller is its owner',
  body: Type.Object({ name: Name }, { additionalProperties: false }),
  response: { 201: HouseholdSchema, ...protectedRouteErrors },
};

export const listRoute = {
  ...guarded,
  summary: "The caller's households with their members",
  response: { 200: Type.Object({ households: Type.Array(HouseholdSchema) }), ...protectedRouteErrors },
};

export const getRoute = {
  ...guarded,
  summary: 'One of the caller’s households',
  params,
  response: { 200: HouseholdSchema, ...errors },
};

export const renameRoute = {
  ...guarded,
  summary: 'Rename a household (owner)',
  params,
  body: Type.Object({ name: Name }, { additionalProperties: false }),
  response: { 200: HouseholdSchema, ...errors },
};

export const createInviteRoute = {
  ...guarded,
  summary: 'Invite someone to join as an adult: a single-use code that expires in 7 days (owner or adult)',
  params,
  response: {
    201: Type.Object({
      ...inviteFields,
      code: Type.String({ description: '8 letters; shown once, stored only hashed' }),
      url: Type.String({ description: 'The console link that joins with this code: <console>/join?code=…' }),
    }),
    ...errors,
  },
};

export const listInvitesRoute = {
  ...guarded,
  summary: "The household's invites, newest first (owner or adult)",
  params,
  response: { 200: Type.Object({ invites: Type.Array(InviteSchema) }), ...errors },
};

export const revokeInviteRoute = {
  ...guarded,
  summary: 'Revoke an unused invite (owner or adult)',
  params: Type.Object({ id: Id, inviteId: Id }),
  response: { 204: Type.Null(), ...errors },
};

export const acceptRoute = {
  ...guarded,
  summary: 'Join a household with an invite code, as an adult',
  body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }) }, { additionalProperties: false }),
  response: { 200: HouseholdSchema, ...errors, 410: ProblemResponse, 429: ProblemResponse },
};

export const leaveRoute = {
  ...guarded,
  summary: 'Leave a household (the last owner first transfers ownership if others remain)',
  params,
  response: { 204: Type.Null(), ...errors },
};

export const removeMemberRoute = {
  ...guarded,
  summary: 'Remove a member (owner)',
  params: Type.Object({ id: Id, accountId: Id }),
  response: { 204: Type.Null(), ...errors },
};

export const transferRoute = {
  ...guarded,
  summary: 'Hand ownership to an adult member; the caller becomes an adult (owner)',
  params,
  body: Type.Object({ account_id: Id }, { additionalProperties: false }),
  response: { 200: HouseholdSchema, ...errors },
};

const DisplayName = Type.String({ minLength: 1, maxLength: 100 });
const memberParams = Type.Object({ id: Id, accountId: Id });

export const DependentSchema = Type.Object({
  account_id: Type.String(),
  display_name: Type.String(),
  role: Type.Literal('dependent'),
  managed_by: Type.Union([Type.String(), Type.Null()]),
});

export const addDependentRoute = {
  ...guarded,
  summary: 'Add a dependent: an account without an identity, managed by the caller (owner or adult)',
  params,
  body: Type.Object({ display_name: DisplayName }, { additionalProperties: false }),
  response: { 201: DependentSchema, ...errors },
};

export const listDependentsRoute = {
  ...guarded,
  summary: "The household's dependents and who manages each",
  params,
  response: { 200: Type.Object({ dependents: Type.Array(DependentSchema) }), ...errors },
};

export const renameDependentRoute = {
  ...guarded,
  summary: "Change a dependent's display name (owner, or the adult who manages them)",
  params: memberParams,
  body: Type.Object({ display_name: DisplayName }, { additionalProperties: false }),
  response: { 200: DependentSchema, ...errors },
};

const handoverFields = {
  id: Type.String(),
  account_id: Type.String(),
  status: Type.Union([
    Type.Literal('open'),
    Type.Literal('used'),
    Type.Literal('revoked'),
    Type.Literal('expired'),
  ]),
  created_by: Type.String(),
  created_at: Time,
  expires_at: Time,
};

export const createHandoverRoute = {
  ...guarded,
  summary:
    'A single-use code (3 days) with which the dependent takes their account over with an identity of their own (owner, or the managing adult)',
  params: memberParams,
  response: {
    201: Type.Object({
      ...handoverFields,
      code: Type.String({ description: '8 letters; shown once, stored only hashed' }),
      url: Type.String({ description: 'The console link: <console>/handover?code=…' }),
    }),
    ...errors,
  },
};

export const revokeHandoverRoute = {
  ...guarded,
  summary: 'Revoke an unused handover code (owner, or the managing adult)',
  params: Type.Object({ id: Id, handoverId: Id }),
  response: { 204: Type.Null(), ...errors },
};

export const acceptHandoverRoute = {
  ...guarded,
  summary:
    "Take a dependent's account over: the caller's account is merged into it and the membership becomes an adult's; the caller's sessions end",
  body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }) }, { additionalProperties: false }),
  response: {
    200: Type.Object({
      account_id: Type.String({ description: 'The account the caller signs in to from now on' }),
      household_id: Type.String(),
      previous_account_id: Type.String({
        description: "The caller's former account, merged into account_id",
      }),
      merge_id: Type.String({ description: 'Undo within 30 days with POST /v1/me/merges/{merge_id}/undo' }),
      undo_until: Time,
    }),
    ...errors,
    410: ProblemResponse,
    429: ProblemResponse,
  },
};

export const ShareSchema = Type.Object({
  household_id: Type.String(),
  account_id: Type.String({ description: 'Whose health data is shared' }),
  viewer_account_id: Type.String({ description: 'Who may see it' }),
  created_at: Time,
});

export const listSharesRoute = {
  ...guarded,
  summary: 'What the caller shares and what is shared with the caller in this household',
  params,
  response: { 200: Type.Object({ shares: Type.Array(ShareSchema) }), ...errors },
};

const shareParams = Type.Object({ id: Id, viewerId: Id });

export const putShareRoute = {
  ...guarded,
  summary: "Share the caller's health data with another member (idempotent)",
  params: shareParams,
  response: { 200: ShareSchema, ...errors },
};

export const deleteShareRoute = {
  ...guarded,
  summary: "Stop sharing the caller's health data with a member (idempotent)",
  params: shareParams,
  response: { 204: Type.Null(), ...errors },
};
