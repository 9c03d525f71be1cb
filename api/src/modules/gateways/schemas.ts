import { Type } from 'typebox';
import { BEARER_SECURITY, ErrorBodySchema, protectedRouteErrors } from '../../http/schemas.js';

/** The one client registered for the device flow: Linkwell gateways (a public client, no secret). */
export const GATEWAY_CLIENT_ID = 'linkwell-gateway';
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
export const REFRESH_TOKEN_GRANT_TYPE = 'refresh_token';

/** RFC 6749 §5.2 and RFC 8628 §3.5 error codes this API answers with. */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'server_error',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

export const OAuthErrorSchema = Type.Object(
  {
    error: Type.Union(
      OAUTH_ERROR_CODES.map((c) => Type.Literal(c)),
      { description: 'RFC 6749 §5.2 / RFC 8628 §3.5 error code.' },
    ),
    error_description: Type.Optional(Type.String()),
  },
  { description: 'OAuth error: { error, error_description? } (not the API error shape).' },
);

// Form fields arrive as strings; unknown parameters are ignored (RFC 6749 §3.2).
const Param = (description: string, maxLength = 512) => Type.String({ maxLength, description });

export const DeviceAuthorizationRequestSchema = Type.Object(
  {
    client_id: Param(`Must be ${GATEWAY_CLIENT_ID}.`, 64),
    scope: Type.Optional(Param('Ignored: a gateway token always carries the gateway scope.')),
    name: Type.Optional(Param('Name for the new gateway, e.g. "Living room".', 64)),
    model: Type.Optional(Param('Gateway hardware model, for the approval screen.', 64)),
  },
  { additionalProperties: true },
);

export const DeviceAuthorizationResponseSchema = Type.Object({
  device_code: Type.String({ description: 'Secret; the gateway polls /oauth/token with it.' }),
  user_code: Type.String({ description: 'Shown to the person: 8 letters as XXXX-XXXX.' }),
  verification_uri: Type.String(),
  verification_uri_complete: Type.String({ description: 'verification_uri with the user code filled in.' }),
  expires_in: Type.Integer({ description: 'Seconds until device_code and user_code expire.' }),
  interval: Type.Integer({ description: 'Minimum seconds between two token requests.' }),
});

export const TokenRequestSchema = Type.Object(
  {
    grant_type: Param(`${DEVICE_CODE_GRANT_TYPE} or ${REFRESH_TOKEN_GRANT_TYPE}.`, 128),
    client_id: Type.Optional(Param(`Must be ${GATEWAY_CLIENT_ID}.`, 64)),
    device_code: Type.Optional(Param('For the device_code grant.')),
    refresh_token: Type.Optional(Param('For the refresh_token grant.')),
  },
  { additionalProperties: true },
);

export const TokenResponseSchema = Type.Object({
  access_token: Type.String({
    description: 'ES256 gateway token: the MQTT password, with the gateway id as MQTT username.',
  }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until access_token expires.' }),
  refresh_token: Type.String({ description: 'Single use: each refresh returns a new one.' }),
  gateway_id: Type.String(),
  mqtt_topic_prefix: Type.String({ description: 'The gateway may publish only under this prefix.' }),
  mqtt_url: Type.Optional(Type.String({ description: 'The broker to connect to, when configured.' })),
});

const oauthResponses = { 400: OAuthErrorSchema, 500: OAuthErrorSchema } as const;

export const deviceAuthorizationRoute = {
  summary: 'Start linking a gateway (RFC 8628 device authorization request)',
  description:
    'Form-encoded or JSON. Returns the codes the gateway shows; a household member approves the user code.',
  tags: ['oauth'],
  body: DeviceAuthorizationRequestSchema,
  response: { 200: DeviceAuthorizationResponseSchema, ...oauthResponses },
} as const;

export const tokenRoute = {
  summary: 'Poll for or refresh a gateway token (RFC 8628 §3.4, RFC 6749 §6)',
  description:
    'Errors follow RFC 6749 §5.2 with HTTP 400: authorization_pending, slow_down, access_denied, expired_token, invalid_grant, invalid_request, invalid_client, unsupported_grant_type.',
  tags: ['oauth'],
  body: TokenRequestSchema,
  response: { 200: TokenResponseSchema, ...oauthResponses },
} as const;

export const VerifyRequestSchema = Type.Object(
  {
    user_code: Type.String({ minLength: 1, maxLength: 32, description: 'As shown, e.g. BCDF-GHJK.' }),
    household_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Household the gateway joins; needed when the account belongs to several.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DenyRequestSchema = Type.Object(
  { user_code: Type.String({ minLength: 1, maxLength: 32 }) },
  { additionalProperties: false },
);

export const DecisionResponseSchema = Type.Object({
  status: Type.Union([Type.Literal('approved'), Type.Literal('denied')]),
  user_code: Type.String(),
  household_id: Type.Optional(Type.String()),
  gateway_name: Type.Optional(Type.String()),
  gateway_model: Type.Optional(Type.String()),
});

const decisionErrors = {
  ...protectedRouteErrors,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  410: ErrorBodySchema,
} as const;

export const verifyRoute = {
  summary: 'Approve a gateway by its user code',
  description:
    'The gateway joins household_id (or the only household of the caller). Needs the gateways:link scope.',
  tags: ['device-authorizations'],
  security: BEARER_SECURITY,
  body: VerifyRequestSchema,
  response: { 200: DecisionResponseSchema, ...decisionErrors },
} as const;

export const denyRoute = {
  summary: 'Refuse a gateway by its user code',
  description: 'The gateway gets access_denied on its next poll. Needs the gateways:link scope.',
  tags: ['device-authorizations'],
  security: BEARER_SECURITY,
  body: DenyRequestSchema,
  response: { 200: DecisionResponseSchema, ...decisionErrors },
} as const;

export const devicePageRoute = {
  summary: 'Verification page (verification_uri)',
  description:
    'A short HTML page telling the person where to enter the code; approval needs a signed-in account.',
  tags: ['device-authorizations'],
  querystring: Type.Object({
    user_code: Type.Optional(Type.String({ maxLength: 32 })),
    help: Type.Optional(
      Type.String({ maxLength: 8, description: 'Present: the explanation even with the console.' }),
    ),
  }),
} as const;
