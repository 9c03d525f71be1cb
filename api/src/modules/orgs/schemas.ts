import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';
import { ORG_ROLES } from './repository.js';

const tags = ['orgs'];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_]+$' });
// The slug is also how a consent names a partner (`share:<slug>`, docs/consents.md), hence its shape.
const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('engineer'),
  Type.Literal('viewer'),
  Type.Literal('marketer'),
]);
const Roles = Type.Array(Role, { minItems: 1, maxItems: ORG_ROLES.length, uniqueItems: true });

export const OrgSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  roles: Type.Array(Role),
});
const MemberSchema = Type.Object({ account_id: Type.String(), roles: Type.Array(Role) });

const guarded = { security: BEARER_SECURITY, tags };
const orgErrors = { ...protectedRouteErrors, 404: ProblemResponse, 409: ProblemResponse };
const orgParams = Type.Object({ org: Id });
const memberParams = Type.Object({ org: Id, account: Id });

export const createRoute = {
  ...guarded,
  summary: 'Create an organisation; the caller is its first admin',
  body: Type.Object({ slug: Slug, name: Name }, { additionalProperties: false }),
  response: { 201: OrgSchema, ...protectedRouteErrors, 409: ProblemResponse },
};

export const listRoute = {
  ...guarded,
  summary: "The caller's organisations, with the caller's roles in each",
  response: { 200: Type.Object({ orgs: Type.Array(OrgSchema) }), ...protectedRouteErrors },
};

export const membersRoute = {
  ...guarded,
  summary: 'The members of one of the caller’s organisations and their roles',
  params: orgParams,
  response: { 200: Type.Object({ members: Type.Array(MemberSchema) }), ...orgErrors },
};

export const setRolesRoute = {
  ...guarded,
  summary: 'Set exactly the roles an account holds (admin only); adds the account when it is no member',
  params: memberParams,
  body: Type.Object({ roles: Roles }, { additionalProperties: false }),
  response: { 200: MemberSchema, ...orgErrors },
};

export const removeMemberRoute = {
  ...guarded,
  summary: 'Remove a member (admin), or leave (yourself); the last admin cannot go',
  params: memberParams,
  response: { 204: Type.Null(), ...orgErrors },
};

export const marketerSessionRoute = {
  ...guarded,
  summary: 'A 15-minute marketer token for this organisation (needs the marketer role); CRM routes only',
  params: orgParams,
  response: {
    200: Type.Object({
      access_token: Type.String(),
      token_type: Type.Literal('Bearer'),
      expires_in: Type.Integer(),
      org: Type.String(),
      scope: Type.Literal('crm'),
    }),
    ...orgErrors,
  },
};

export const whoamiRoute = {
  security: BEARER_SECURITY,
  tags: ['crm'],
  summary: 'Who is acting as a marketer for this organisation (a marketer token, or a person with the role)',
  params: orgParams,
  response: {
    200: Type.Object({ org: Type.String(), account: Type.String(), roles: Type.Array(Role) }),
    ...protectedRouteErrors,
  },
};
