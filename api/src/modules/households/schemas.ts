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
