import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

const tags = ['identity'];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_]+$' });

export const IdentitySchema = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  provider_display_name: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  email_verified: Type.Boolean(),
  picture: Type.Union([Type.String(), Type.Null()]),
  linked_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.String({ format: 'date-time' }),
});

export const MergeSchema = Type.Object({
  id: Type.String(),
  source_account_id: Type.String(),
  target_account_id: Type.String(),
  merged_at: Type.String({ format: 'date-time' }),
  undo_until: Type.String({ format: 'date-time' }),
  undone_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const guarded = { security: BEARER_SECURITY, tags };
const stepUpErrors = {
  ...protectedRouteErrors,
  404: ProblemResponse,
  409: ProblemResponse,
  410: ProblemResponse,
};

export const meRoute = {
  ...guarded,
  summary: 'The signed-in account',
  response: {
    200: Type.Object({
      id: Type.String(),
      display_name: Type.String(),
      created_at: Type.String({ format: 'date-time' }),
      picture: Type.Union([Type.String(), Type.Null()]),
    }),
    ...protectedRouteErrors,
  },
};

export const identitiesRoute = {
  ...guarded,
  summary: 'The identities that sign in to this account',
  response: { 200: Type.Object({ identities: Type.Array(IdentitySchema) }), ...protectedRouteErrors },
};

export const unlinkRoute = {
  ...guarded,
  summary: 'Unlink an identity (needs a sign-in within 5 minutes; never the last one)',
  params: Type.Object({ id: Id }),
  response: { 204: Type.Null(), ...stepUpErrors },
};

export const suggestionsRoute = {
  ...guarded,
  summary: 'Accounts that may also be yours (a verified e-mail matched); sign in to one to merge it',
  response: {
    200: Type.Object({
      suggestions: Type.Array(
        Type.Object({ id: Type.String(), created_at: Type.String({ format: 'date-time' }) }),
      ),
    }),
    ...protectedRouteErrors,
  },
};

export const mergeRoute = {
  ...guarded,
  summary: 'Merge the account of a merge offer into this one (needs a sign-in within 5 minutes)',
  body: Type.Object({ offer_id: Id }, { additionalProperties: false }),
  response: { 201: MergeSchema, ...stepUpErrors },
};

export const mergesRoute = {
  ...guarded,
  summary: 'Merges into this account, newest first',
  response: { 200: Type.Object({ merges: Type.Array(MergeSchema) }), ...protectedRouteErrors },
};

export const undoRoute = {
  ...guarded,
  summary: 'Undo a merge within 30 days, restoring both accounts exactly',
  params: Type.Object({ id: Id }),
  response: { 200: MergeSchema, ...stepUpErrors },
};
