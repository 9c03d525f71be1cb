import { Type } from 'typebox';
import { BEARER_SECURITY, ErrorBodySchema, protectedRouteErrors } from '../../http/schemas.js';

export const WINDOW_PATTERN =
  '^(daily|P(?!$)([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?|[1-9][0-9]*(s|m|h|d))$';

export const MetricParamsSchema = Type.Object(
  { metric: Type.String({ maxLength: 64, description: 'A trend metric from GET /v1/trends.' }) },
  { additionalProperties: false },
);

const ACCOUNT_ID = Type.String({ minLength: 1, maxLength: 128 });

export const TrendQuerySchema = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Inclusive start, ISO 8601 with offset; default `to` − 7 days.',
      }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'Exclusive end, ISO 8601 with offset; default now.' }),
    ),
    window: Type.Optional(
      Type.String({
        pattern: WINDOW_PATTERN,
        maxLength: 32,
        description:
          "`daily` for civil days in the person's time zone, or a fixed UTC window as an ISO 8601 duration of at least PT1S (PT15M, PT1H, P1D, P7D). The older `5m` form is still accepted. Default PT1H.",
      }),
    ),
    time_zone: Type.Optional(
      Type.String({
        maxLength: 64,
        description: "IANA zone for `daily` windows instead of the person's own zone history.",
      }),
    ),
    account: Type.Optional({
      ...ACCOUNT_ID,
      description: 'A household member who shares with you; default yourself.',
    }),
    merged: Type.Optional(
      Type.Boolean({ description: 'false: every source together, without reconciliation. Default true.' }),
    ),
    by_source: Type.Optional(Type.Boolean({ description: 'true: also one series per source.' })),
    units: Type.Optional(
      Type.String({
        maxLength: 32,
        description: 'Display units, e.g. `lb,kPa,F` (kg, lb, jin, mmHg, kPa, C, F).',
      }),
    ),
    resolution: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('raw')], {
        description: '`raw` skips the rollups (slower; for checking them). Default auto.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Stat = Type.Number();
export const FieldSummarySchema = Type.Object({
  count: Type.Integer({ minimum: 1 }),
  min: Stat,
  max: Stat,
  mean: Stat,
  first: Stat,
  last: Stat,
  p10: Stat,
  median: Stat,
  p90: Stat,
});

export const TrendWindowSchema = Type.Object({
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  date: Type.Optional(Type.String({ description: 'Civil date of a daily window.' })),
  time_zone: Type.Optional(Type.String()),
  hours: Type.Number({ description: 'Length; 23 or 25 for daily windows across a DST change.' }),
  empty: Type.Boolean({ description: 'No readings at all: not the same as a zero.' }),
  count: Type.Integer({ minimum: 0 }),
  coverage: Type.Number({ minimum: 0, maximum: 1 }),
  winning_source: Type.Union([Type.String(), Type.Null()]),
  sources: Type.Array(Type.String()),
  suppressed_sources: Type.Array(Type.String()),
  values: Type.Record(Type.String(), Type.Union([FieldSummarySchema, Type.Null()])),
});

const StoreSchema = Type.Union([Type.Literal('raw'), Type.Literal('rollup_1h'), Type.Literal('rollup_1d')]);

export const TrendResponseSchema = Type.Object({
  metric: Type.String(),
  kind: Type.Union([Type.Literal('continuous'), Type.Literal('spot')]),
  account: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  window: Type.String(),
  time_zone_source: Type.Optional(
    Type.Union([Type.Literal('profile'), Type.Literal('request'), Type.Literal('default')]),
  ),
  merged: Type.Boolean(),
  stores: Type.Array(StoreSchema, { description: 'Every store that answered part of this request.' }),
  series_stores: Type.Record(Type.String(), Type.Array(StoreSchema), {
    description: 'Per stored series (e.g. heart_rate.bpm): raw points, hourly rollups, civil-day rollups.',
  }),
  units: Type.Record(Type.String(), Type.Object({ ucum: Type.String(), display: Type.String() })),
  source_priority: Type.Array(Type.String()),
  windows: Type.Array(TrendWindowSchema),
  series: Type.Optional(
    Type.Array(Type.Object({ source: Type.String(), windows: Type.Array(TrendWindowSchema) })),
  ),
  points: Type.Optional(
    Type.Array(
      Type.Object({
        t: Type.String({ format: 'date-time' }),
        count: Type.Integer({ minimum: 1 }),
        mean: Type.Number(),
        min: Type.Number(),
        max: Type.Number(),
      }),
      {
        deprecated: true,
        description: 'Deprecated, heart_rate only: non-empty windows of bpm, as before issue 13.',
      },
    ),
  ),
});

export const trendRoute = {
  summary: 'Trend of one metric',
  description:
    'Statistics per window (fixed UTC or civil days) for the caller or a household member who shares with them, with the source that won each window. See docs/trends.md.',
  tags: ['trends'],
  security: BEARER_SECURITY,
  params: MetricParamsSchema,
  querystring: TrendQuerySchema,
  response: {
    200: TrendResponseSchema,
    ...protectedRouteErrors,
    404: ErrorBodySchema,
    502: ErrorBodySchema,
    503: ErrorBodySchema,
  },
} as const;

export const metricsRoute = {
  summary: 'Trend metrics',
  description: 'Every metric GET /v1/trends/{metric} serves, with its fields, kind and canonical units.',
  tags: ['trends'],
  security: BEARER_SECURITY,
  response: {
    200: Type.Object({
      metrics: Type.Array(
        Type.Object({
          metric: Type.String(),
          kind: Type.String(),
          fields: Type.Array(
            Type.Object({ name: Type.String(), ucum: Type.String(), dimension: Type.String() }),
          ),
        }),
      ),
    }),
    ...protectedRouteErrors,
  },
} as const;

export const SourcesSchema = Type.Object({
  metric: Type.String(),
  account: Type.String(),
  priority: Type.Array(Type.String(), { description: 'Every known source, highest priority first.' }),
  chosen: Type.Array(Type.String(), {
    description: 'The part of the order the person set; the rest is the default.',
  }),
  sources: Type.Array(Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) })),
});

const AccountQuery = Type.Object(
  { account: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
  { additionalProperties: false },
);

export const getSourcesRoute = {
  summary: 'Source priority of a metric',
  description:
    'The order in which sources win when several measured the same thing (docs/trends.md "Reconciliation").',
  tags: ['trends'],
  security: BEARER_SECURITY,
  params: MetricParamsSchema,
  querystring: AccountQuery,
  response: { 200: SourcesSchema, ...protectedRouteErrors, 404: ErrorBodySchema },
} as const;

export const putSourcesRoute = {
  summary: 'Change the source priority of a metric',
  description: 'Sources listed come first, in this order; unlisted ones follow in the default order.',
  tags: ['trends'],
  security: BEARER_SECURITY,
  params: MetricParamsSchema,
  querystring: AccountQuery,
  body: Type.Object(
    { priority: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 32 }) },
    { additionalProperties: false },
  ),
  response: { 200: SourcesSchema, ...protectedRouteErrors, 404: ErrorBodySchema, 422: ErrorBodySchema },
} as const;
