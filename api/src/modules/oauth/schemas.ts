import { Type } from 'typebox';
import { APP_SCOPES } from '../../auth/scopes.js';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

const tags = ['oauth'];
const Uid = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Time = Type.String({ format: 'date-time' });
const ScopeName = Type.String({
  minLength: 1,
  maxLength: 64,
  // Digits too: `spo2.read` is a scope (the unknown-scope check in the route names anything else).
  pattern: '^[a-z0-9_]+\\.(read|write)$|^offline_access$',
});
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const params = Type.Object({ uid: Uid });

export const interactionPageRoute = { hide: true, params };

export const interactionDetailsRoute = {
  tags,
  summary: 'What the app asks for, for the console consent page',
  params,
  response: {
    200: Type.Object({
      uid: Type.String(),
      prompt: Type.Union([Type.Literal('login'), Type.Literal('consent')]),
      signed_in: Type.Boolean(),
      client: Type.Object({
        client_id: Type.String(),
        name: Type.String(),
        logo_uri: Nullable(Type.String()),
        policy_uri: Nullable(Type.String()),
        sandbox: Type.Boolean(),
      }),
      requested_scopes: Type.Array(Type.String()),
      offline_access: Type.Boolean(),
    }),
    400: ProblemResponse,
    404: ProblemResponse,
  },
};

const RedirectTo = Type.Object({ redirect_to: Type.String() });

export const consentRoute = {
  tags,
  summary: 'Grant the ticked scopes to the app and continue the authorization',
  description: 'Unticked scopes are refused (a partial grant); the app gets only what is granted.',
  security: BEARER_SECURITY,
  params,
  body: Type.Object({
    scopes: Type.Array(ScopeName, { maxItems: APP_SCOPES.length + 1, uniqueItems: true }),
  }),
  response: { 200: RedirectTo, ...protectedRouteErrors, 404: ProblemResponse, 409: ProblemResponse },
};

export const abortRoute = {
  tags,
  summary: 'Decline: the app receives access_denied',
  security: BEARER_SECURITY,
  params,
  response: { 200: RedirectTo, ...protectedRouteErrors, 404: ProblemResponse },
};

export const ConnectionSchema = Type.Object({
  grant_id: Type.String(),
  client_id: Type.String(),
  client_name: Type.String(),
  logo_uri: Nullable(Type.String()),
  policy_uri: Nullable(Type.String()),
  sandbox: Type.Boolean(),
  scopes: Type.Array(Type.String()),
  connected_at: Time,
  expires_at: Nullable(Time),
  consent_text_version: Nullable(Type.String()),
});

export const listConnectionsRoute = {
  tags,
  summary: 'Apps connected to your account, with what each may read',
  security: BEARER_SECURITY,
  response: { 200: Type.Object({ connections: Type.Array(ConnectionSchema) }), ...protectedRouteErrors },
};

export const revokeConnectionRoute = {
  tags,
  summary: 'Disconnect an app: its refresh and access tokens stop working (access tokens within 30 s)',
  security: BEARER_SECURITY,
  params: Type.Object({
    grant_id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }),
  }),
  response: { 204: Type.Null(), ...protectedRouteErrors, 404: ProblemResponse },
};

export const ConsentRecordSchema = Type.Object({
  id: Type.String(),
  client_id: Type.String(),
  client_name: Nullable(Type.String()),
  granted_scopes: Type.Array(Type.String()),
  refused_scopes: Type.Array(Type.String()),
  consent_text_version: Type.String(),
  granted_at: Time,
  withdrawn_at: Nullable(Time),
  withdrawn_by: Nullable(Type.String()),
});

export const listConsentsRoute = {
  tags,
  summary: 'Every consent you gave an app, including withdrawn ones',
  security: BEARER_SECURITY,
  response: { 200: Type.Object({ consents: Type.Array(ConsentRecordSchema) }), ...protectedRouteErrors },
};

const devTags = ['developer apps'];
const Url = Type.String({ minLength: 8, maxLength: 512 });
const AppScopeName = Type.Union(APP_SCOPES.map((x) => Type.Literal(x)));
export const ClientSchema = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  redirect_uris: Type.Array(Type.String()),
  logo_uri: Nullable(Type.String()),
  policy_uri: Nullable(Type.String()),
  scopes: Type.Array(Type.String()),
  grant_types: Type.Array(Type.String()),
  token_endpoint_auth_method: Type.String(),
  sector: Type.String({ description: 'The pairwise sector: the host of the redirect URIs.' }),
  sandbox: Type.Boolean(),
  created_at: Time,
  secret_rotated_at: Nullable(Time),
  disabled_at: Nullable(Time),
});
const clientFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  redirect_uris: Type.Array(Url, { minItems: 1, maxItems: 10, uniqueItems: true }),
  logo_uri: Type.Optional(Nullable(Url)),
  policy_uri: Type.Optional(Nullable(Url)),
  scopes: Type.Array(AppScopeName, { minItems: 1, uniqueItems: true }),
  sandbox: Type.Optional(
    Type.Boolean({ description: 'Only its owner can connect it: for testing on the demo household.' }),
  ),
};
const clientParams = Type.Object({
  client_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
});

export const registerClientRoute = {
  tags: devTags,
  summary: 'Register an app (its secret is shown once)',
  security: BEARER_SECURITY,
  body: Type.Object(
    {
      ...clientFields,
      type: Type.Optional(Type.Union([Type.Literal('confidential'), Type.Literal('public')])),
      token_endpoint_auth_method: Type.Optional(
        Type.Union([Type.Literal('client_secret_basic'), Type.Literal('client_secret_post')]),
      ),
      client_credentials: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  response: {
    201: Type.Object({ client: ClientSchema, client_secret: Nullable(Type.String()) }),
    ...protectedRouteErrors,
  },
};
export const listClientsRoute = {
  tags: devTags,
  summary: 'Your registered apps',
  security: BEARER_SECURITY,
  response: { 200: Type.Object({ clients: Type.Array(ClientSchema) }), ...protectedRouteErrors },
};
export const getClientRoute = {
  tags: devTags,
  summary: 'One of your apps',
  security: BEARER_SECURITY,
  params: clientParams,
  response: { 200: ClientSchema, ...protectedRouteErrors, 404: ProblemResponse },
};
export const updateClientRoute = {
  tags: devTags,
  summary: 'Change an app',
  security: BEARER_SECURITY,
  params: clientParams,
  body: Type.Partial(Type.Object(clientFields), { additionalProperties: false, minProperties: 1 }),
  response: { 200: ClientSchema, ...protectedRouteErrors, 404: ProblemResponse },
};
export const rotateSecretRoute = {
  tags: devTags,
  summary: 'Replace the app secret (the old one stops at once; the new one is shown once)',
  security: BEARER_SECURITY,
  params: clientParams,
  response: {
    200: Type.Object({ client_secret: Type.String() }),
    ...protectedRouteErrors,
    404: ProblemResponse,
  },
};
export const disableClientRoute = {
  tags: devTags,
  summary: 'Disable an app: nobody can connect it and its tokens stop',
  security: BEARER_SECURITY,
  params: clientParams,
  response: { 204: Type.Null(), ...protectedRouteErrors, 404: ProblemResponse },
};
