import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

const tags = ['webhooks'];
const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });
// Event types are plain strings here so an unknown one is answered API_ERR_WEBHOOK_EVENT_TYPE with the list
// of known ones, not a generic schema error.
const EventTypeName = Type.String({ minLength: 1, maxLength: 60 });
const Payload = Type.Union([Type.Literal('thin'), Type.Literal('full')]);
const Url = Type.String({ minLength: 1, maxLength: 2000 });

const appParams = Type.Object({ client_id: Id });
const endpointParams = Type.Object({ client_id: Id, endpoint_id: Id });
const errors = { ...protectedRouteErrors, 404: ProblemResponse };

const Secret = Type.Object({ id: Type.String(), created_at: Time, expires_at: Nullable(Time) });
export const EndpointSchema = Type.Object({
  id: Type.String(),
  client_id: Type.String(),
  url: Type.String(),
  event_types: Type.Array(Type.String()),
  payload: Payload,
  status: Type.Union([Type.Literal('unverified'), Type.Literal('active'), Type.Literal('disabled')]),
  description: Nullable(Type.String()),
  ed25519_public_key: Nullable(Type.String()),
  verified_at: Nullable(Time),
  disabled_at: Nullable(Time),
  disabled_reason: Nullable(Type.String()),
  created_at: Time,
  secrets: Type.Array(Secret),
});

export const createEndpointRoute = {
  tags,
  summary: 'Register a webhook endpoint (its secret is shown once) and send it the verification challenge',
  security: BEARER_SECURITY,
  params: appParams,
  body: Type.Object(
    {
      url: Url,
      event_types: Type.Array(EventTypeName, { minItems: 1, maxItems: 20 }),
      payload: Type.Optional(Payload),
      description: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
      ed25519: Type.Optional(Type.Boolean()),
      secret: Type.Optional(Type.String({ minLength: 38, maxLength: 100 })),
    },
    { additionalProperties: false },
  ),
  response: {
    201: Type.Object({
      endpoint: EndpointSchema,
      secret: Type.String(),
      verification: Type.Object({ verified: Type.Boolean(), detail: Type.String() }),
    }),
    ...errors,
  },
};
export const listEndpointsRoute = {
  tags,
  summary: "The app's webhook endpoints",
  security: BEARER_SECURITY,
  params: appParams,
  response: { 200: Type.Object({ endpoints: Type.Array(EndpointSchema) }), ...errors },
};
export const getEndpointRoute = {
  tags,
  summary: 'One webhook endpoint',
  security: BEARER_SECURITY,
  params: endpointParams,
  response: { 200: EndpointSchema, ...errors },
};
export const updateEndpointRoute = {
  tags,
  summary: 'Change URL, event types, payload, or status (active re-enables and delivers the backlog)',
  security: BEARER_SECURITY,
  params: endpointParams,
  body: Type.Object(
    {
      url: Type.Optional(Url),
      event_types: Type.Optional(Type.Array(EventTypeName, { minItems: 1, maxItems: 20 })),
      payload: Type.Optional(Payload),
      description: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
      status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
    },
    { additionalProperties: false },
  ),
  response: { 200: EndpointSchema, ...errors, 409: ProblemResponse, 422: ProblemResponse },
};
export const deleteEndpointRoute = {
  tags,
  summary: 'Delete a webhook endpoint, its queue and its log',
  security: BEARER_SECURITY,
  params: endpointParams,
  response: { 204: Type.Null(), ...errors },
};
export const verifyEndpointRoute = {
  tags,
  summary: 'Send the verification challenge again',
  security: BEARER_SECURITY,
  params: endpointParams,
  response: { 200: EndpointSchema, ...errors, 422: ProblemResponse },
};
export const rotateSecretRoute = {
  tags,
  summary:
    'Add a new signing secret; the others keep signing until they expire (default 24 h) or are revoked',
  security: BEARER_SECURITY,
  params: endpointParams,
  body: Type.Optional(
    Type.Object(
      { expire_others_in_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400 })) },
      { additionalProperties: false },
    ),
  ),
  response: { 201: Type.Object({ id: Type.String(), secret: Type.String() }), ...errors },
};
export const revokeSecretRoute = {
  tags,
  summary: 'Stop signing with a secret',
  security: BEARER_SECURITY,
  params: Type.Object({ client_id: Id, endpoint_id: Id, secret_id: Id }),
  response: { 204: Type.Null(), ...errors, 409: ProblemResponse },
};
export const healthRoute = {
  tags,
  summary: 'Endpoint health: state, last success, consecutive failures, why it was disabled, notices',
  security: BEARER_SECURITY,
  params: endpointParams,
  response: {
    200: Type.Object({
      state: Type.String(),
      last_success_at: Nullable(Time),
      last_failure_at: Nullable(Time),
      failing_since: Nullable(Time),
      consecutive_failures: Type.Integer(),
      disabled_at: Nullable(Time),
      disabled_reason: Nullable(Type.String()),
      backlog: Type.Integer(),
      notices: Type.Array(Type.Object({ kind: Type.String(), message: Type.String(), created_at: Time })),
    }),
    ...errors,
  },
};
export const attemptsRoute = {
  tags,
  summary: 'Delivery log: attempts newest first, filtered by outcome, event type, event id and time',
  security: BEARER_SECURITY,
  params: endpointParams,
  querystring: Type.Object(
    {
      status: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed')])),
      event_type: Type.Optional(Type.String({ maxLength: 60 })),
      event_id: Type.Optional(Type.String({ maxLength: 100 })),
      from: Type.Optional(Time),
      to: Type.Optional(Time),
      before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      attempts: Type.Array(
        Type.Object({
          id: Type.String(),
          event_id: Type.String(),
          event_type: Type.String(),
          attempted_at: Time,
          succeeded: Type.Boolean(),
          http_status: Nullable(Type.Integer()),
          error_code: Nullable(Type.String()),
          latency_ms: Type.Integer(),
          response_snippet: Type.String(),
        }),
      ),
      next_before: Nullable(Type.String()),
    }),
    ...errors,
  },
};
export const replayRoute = {
  tags,
  summary: 'Send events again under their own webhook-id: by event id, or all in a time range',
  security: BEARER_SECURITY,
  params: endpointParams,
  body: Type.Object(
    {
      event_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 1000 })),
      from: Type.Optional(Time),
      to: Type.Optional(Time),
    },
    { additionalProperties: false },
  ),
  response: {
    202: Type.Object({ queued: Type.Integer(), event_ids: Type.Array(Type.String()) }),
    ...errors,
    409: ProblemResponse,
  },
};
const Backfill = Type.Object({
  id: Type.String(),
  subject: Nullable(Type.String()),
  from: Time,
  to: Time,
  rate: Type.Number(),
  state: Type.Union([Type.Literal('running'), Type.Literal('enqueued'), Type.Literal('completed')]),
  queued: Type.Integer(),
  delivered: Type.Integer(),
  started_at: Time,
  completed_at: Nullable(Time),
});
export const startBackfillRoute = {
  tags,
  summary: "Re-deliver a time range of the app's persons' events at `rate` events a second",
  security: BEARER_SECURITY,
  params: endpointParams,
  body: Type.Object(
    {
      from: Time,
      to: Time,
      rate: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
      subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
  response: { 202: Backfill, ...errors, 409: ProblemResponse },
};
export const getBackfillRoute = {
  tags,
  summary: 'A backfill: how much is queued and delivered',
  security: BEARER_SECURITY,
  params: Type.Object({ client_id: Id, endpoint_id: Id, backfill_id: Id }),
  response: { 200: Backfill, ...errors },
};
