import { METRICS } from '@linkwell/firmware-protocol';
import { Type } from 'typebox';
import {
  BEARER_SECURITY,
  ErrorBodySchema,
  ProblemResponse,
  protectedRouteErrors,
} from '../../http/schemas.js';

const METRIC_NAMES = Object.keys(METRICS);

export const exportRoute = {
  summary: "The caller's readings as CSV or NDJSON, streamed; X-Total-Count says how many rows follow",
  tags: ['exports'],
  security: BEARER_SECURITY,
  querystring: Type.Object(
    {
      format: Type.Union([Type.Literal('csv'), Type.Literal('ndjson')]),
      from: Type.Optional(
        Type.String({ format: 'date-time', description: 'Inclusive; default: the beginning' }),
      ),
      to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive; default: now' })),
      metric: Type.Optional(
        Type.Union(
          METRIC_NAMES.map((m) => Type.Literal(m)),
          { description: 'One metric; default: every metric the token may read' },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  response: {
    200: {
      description: 'text/csv (RFC 4180, header row with UCUM units) or application/x-ndjson, newest first',
    },
    ...protectedRouteErrors,
    502: ErrorBodySchema,
    503: ErrorBodySchema,
    404: ProblemResponse,
  },
};
