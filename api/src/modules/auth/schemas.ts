import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

const tags = ['auth'];
const ProviderParam = Type.Object({ provider: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }) });
const ReturnTo = Type.String({ maxLength: 512, description: 'A same-origin path to land on afterwards.' });
const FlowBody = Type.Object(
  { provider: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }), return_to: Type.Optional(ReturnTo) },
  { additionalProperties: false },
);
const AuthorizeUrl = Type.Object({
  authorize_url: Type.String({ description: "The provider's sign-in page." }),
});
const TokenPair = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.String(),
  scope: Type.String(),
});

export const providersRoute = {
  summary: 'Identity providers people can sign in with',
  tags,
  response: {
    200: Type.Object({
      providers: Type.Array(
        Type.Object({
          id: Type.String(),
          display_name: Type.String(),
          kind: Type.Union([Type.Literal('oidc'), Type.Literal('wechat')]),
        }),
      ),
    }),
  },
};

export const startRoute = {
  summary: 'Start signing in with a provider (redirects there)',
  description:
    'Creates a single-use, 10-minute sign-in transaction bound to this browser (`lw_flow` cookie) and redirects to the provider. The first sign-in with an identity creates the account.',
  tags,
  params: ProviderParam,
  querystring: Type.Object({ return_to: Type.Optional(ReturnTo) }),
  response: { 400: ProblemResponse, 404: ProblemResponse, 503: ProblemResponse },
};

export const callbackRoute = {
  summary: "The provider's redirect back",
  description:
    'Finishes the transaction. Browsers are redirected to `return_to`, or to the console with `?error=<code>`; a client that accepts only application/json gets the problem details instead.',
  tags,
  params: ProviderParam,
  querystring: Type.Object({}, { additionalProperties: Type.String() }),
};

export const sessionRoute = {
  summary: 'The browser session, with the CSRF token for state-changing requests',
  tags,
  response: {
    200: Type.Object({
      signed_in: Type.Boolean(),
      account_id: Type.Optional(Type.String()),
      csrf_token: Type.Optional(
        Type.String({ description: 'Send as x-csrf-token on POST, PUT, PATCH, DELETE.' }),
      ),
      authenticated_at: Type.Optional(Type.String({ format: 'date-time' })),
      step_up_valid_until: Type.Optional(Type.String({ format: 'date-time' })),
    }),
  },
};

export const signOutRoute = {
  summary: 'Sign out: revoke this session and its refresh tokens',
  tags,
  security: BEARER_SECURITY,
  response: { 204: Type.Null(), ...protectedRouteErrors },
};

export const stepUpRoute = {
  summary: 'Confirm it is you: sign in again with one of your identities',
  tags,
  security: BEARER_SECURITY,
  body: FlowBody,
  response: { 200: AuthorizeUrl, ...protectedRouteErrors, 404: ProblemResponse },
};

export const linkRoute = {
  summary: 'Link another identity (needs a sign-in within 5 minutes)',
  description:
    'Returns the provider URL to send the person to. If that identity already belongs to another account the callback lands on `return_to?error=API_ERR_IDENTITY_IN_USE&merge_offer=<id>`.',
  tags: ['identity'],
  security: BEARER_SECURITY,
  body: FlowBody,
  response: { 200: AuthorizeUrl, ...protectedRouteErrors, 404: ProblemResponse },
};

export const issueTokensRoute = {
  summary: 'Mint an access token and a rotating refresh token for this session',
  tags,
  security: BEARER_SECURITY,
  response: { 200: TokenPair, ...protectedRouteErrors },
};

export const refreshRoute = {
  summary: 'Rotate a refresh token (each is single-use; a reused one revokes the session)',
  tags,
  body: Type.Object(
    {
      grant_type: Type.Literal('refresh_token'),
      refresh_token: Type.String({ minLength: 1, maxLength: 256 }),
    },
    { additionalProperties: false },
  ),
  response: { 200: TokenPair, 400: ProblemResponse, 401: ProblemResponse },
};
