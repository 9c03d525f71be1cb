import { Type } from 'typebox';
import { BEARER_SECURITY, ErrorBodySchema, protectedRouteErrors } from '../../http/schemas.js';
import { DURATION_PATTERN } from '../../influx/influxql.js';

export const TrendQuerySchema = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'Inclusive start, ISO 8601 with offset.' }),
    to: Type.String({ format: 'date-time', description: 'Exclusive end, ISO 8601 with offset.' }),
    window: Type.String({
      pattern: DURATION_PATTERN,
      maxLength: 12,
      description: 'Bucket width: a positive integer and s, m, h or d, e.g. 5m.',
    }),
  },
  { additionalProperties: false },
);

export const TrendPointSchema = Type.Object({
  t: Type.String({ format: 'date-time', description: 'Start of the bucket (aligned to the epoch).' }),
  count: Type.Integer({ minimum: 1 }),
  mean: Type.Number(),
  min: Type.Number(),
  max: Type.Number(),
});

export const HeartRateTrendSchema = Type.Object({
  metric: Type.Literal('heart_rate'),
  account: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  window: Type.String(),
  points: Type.Array(TrendPointSchema, {
    description: 'Sorted by t; buckets without readings are left out.',
  }),
});

export const heartRateTrendRoute = {
  summary: 'Heart-rate trend of the calling account',
  description: 'count, mean, min and max bpm per window between from and to.',
  tags: ['trends'],
  security: BEARER_SECURITY,
  querystring: TrendQuerySchema,
  response: {
    200: HeartRateTrendSchema,
    ...protectedRouteErrors,
    502: ErrorBodySchema,
    503: ErrorBodySchema,
  },
} as const;
