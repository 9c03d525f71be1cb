import { Type } from 'typebox';
import {
  BEARER_SECURITY,
  ErrorBodySchema,
  ProblemResponse,
  protectedRouteErrors,
} from '../../http/schemas.js';
import { MoveSchema } from '../inbox/index.js';

const tags = ['readings'];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_]+$' });
const guarded = { security: BEARER_SECURITY, tags };
const errors = {
  ...protectedRouteErrors,
  404: ProblemResponse,
  409: ProblemResponse,
  502: ErrorBodySchema,
  503: ErrorBodySchema,
};

export const MAX_READINGS = 1000;
export const DEFAULT_READINGS = 100;
/** Without `from`, this far back from `to`. */
export const DEFAULT_SPAN_MS = 30 * 24 * 3600 * 1000;

export const ReadingSchema = Type.Object({
  id: Type.String({ description: 'Opaque; names the stored point (POST /v1/readings/{id}/reassign)' }),
  metric: Type.String(),
  measured_at: Type.String({ format: 'date-time' }),
  values: Type.Record(Type.String(), Type.Number()),
  device_id: Type.Union([Type.String(), Type.Null()]),
  attribution: Type.Union([
    Type.Object({
      method: Type.String({ description: 'e.g. uds-user-index, single-owner, weight-proximity, manual' }),
      confidence: Type.Union([Type.Number(), Type.Null()]),
      rule: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
});

export const listReadingsRoute = {
  ...guarded,
  summary:
    "A member's stored readings, newest first (the caller's own, shared with the caller, or a dependent's)",
  params: Type.Object({ id: Id, accountId: Id }),
  querystring: Type.Object(
    {
      metric: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'e.g. weight' })),
      from: Type.Optional(
        Type.String({ format: 'date-time', description: 'Inclusive; default `to` − 30 days' }),
      ),
      to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive; default now' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_READINGS, default: DEFAULT_READINGS })),
    },
    { additionalProperties: false },
  ),
  response: { 200: Type.Object({ readings: Type.Array(ReadingSchema) }), ...errors },
};

export const reassignRoute = {
  ...guarded,
  summary:
    'Move a stored reading to another member of the household (202 with the move ingest executes; 200 with move null when it already is theirs)',
  params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' }) }),
  body: Type.Object({ to_account_id: Id }, { additionalProperties: false }),
  response: {
    200: Type.Object({ move: Type.Null() }),
    202: Type.Object({ move: MoveSchema }),
    ...errors,
  },
};
