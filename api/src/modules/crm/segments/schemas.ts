import { Type } from 'typebox';
import { ProblemResponse } from '../../../http/schemas.js';
import { errors, guarded, Id, orgParams } from '../route-schemas.js';

// Segment routes for marketers (docs/crm.md "Segments"). The rule is taken as any JSON here and checked
// node by node by the compiler, which answers hostile or malformed rules with API_ERR_CRM_RULE_* codes.

const segmentParams = Type.Object({ org: Id, segment: Id });
const RuleBody = Type.Unknown({
  description:
    'Rule AST: {kind: and|or, rules}, {kind: not, rule}, {kind: trait, field, op, value}, {kind: activity, min, days, metric?}, {kind: last_seen, days}, {kind: segment, id}',
});
const Purpose = Type.String({ maxLength: 80, description: 'Consent purpose; default marketing' });
/** A count of distinct people, or `<k` when below k. */
const Count = Type.Union([Type.Integer(), Type.String({ pattern: '^<[0-9]+$' })]);

const SegmentSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  rule: Type.Unknown(),
  purpose: Type.String(),
  kind: Type.Union([Type.Literal('dynamic'), Type.Literal('static')]),
  consents: Type.Array(Type.String()),
  traits: Type.Array(Type.String()),
  max_sensitivity: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  refreshed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const VerdictSchema = Type.Object({ allowed: Type.Boolean(), reason: Type.String() });
const PreviewSchema = Type.Object({
  size: Count,
  excluded_by_consent: Count,
  consents: Type.Array(Type.String()),
  traits: Type.Array(Type.String()),
  max_sensitivity: Type.String(),
  verdicts: Type.Record(Type.String(), VerdictSchema),
  cached: Type.Boolean(),
});

export const createRoute = {
  ...guarded,
  summary: 'Create a segment (dynamic by default; a static one keeps the people its rule matches now)',
  params: orgParams,
  body: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 200 }),
      rule: RuleBody,
      purpose: Type.Optional(Purpose),
      kind: Type.Optional(Type.Union([Type.Literal('dynamic'), Type.Literal('static')])),
    },
    { additionalProperties: false },
  ),
  response: { 201: SegmentSchema, ...errors },
};

export const listRoute = {
  ...guarded,
  summary: "The organisation's segments",
  params: orgParams,
  response: { 200: Type.Object({ segments: Type.Array(SegmentSchema) }), ...errors },
};

export const getRoute = {
  ...guarded,
  summary: 'One segment',
  params: segmentParams,
  response: { 200: SegmentSchema, ...errors },
};

export const updateRoute = {
  ...guarded,
  summary: "Change a segment's name, rule or purpose",
  params: segmentParams,
  body: Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      rule: Type.Optional(RuleBody),
      purpose: Type.Optional(Purpose),
    },
    { additionalProperties: false },
  ),
  response: { 200: SegmentSchema, ...errors },
};

export const deleteRoute = {
  ...guarded,
  summary: 'Delete a segment no other segment references',
  params: segmentParams,
  response: { 204: Type.Null(), ...errors },
};

export const previewDraftRoute = {
  ...guarded,
  summary:
    'Preview a draft rule: size (below k as <k), people excluded by consent, verdict per destination kind',
  params: orgParams,
  body: Type.Object({ rule: RuleBody, purpose: Type.Optional(Purpose) }, { additionalProperties: false }),
  response: { 200: PreviewSchema, ...errors },
};

export const previewRoute = {
  ...guarded,
  summary: "Preview a saved segment's members",
  params: segmentParams,
  response: { 200: PreviewSchema, ...errors },
};

export const refreshRoute = {
  ...guarded,
  summary: 'Bring membership up to date now (entered and exited times are kept)',
  params: segmentParams,
  response: { 200: Type.Object({ refreshed_at: Type.String({ format: 'date-time' }) }), ...errors },
};

export const sizesRoute = {
  ...guarded,
  summary: 'The daily size series (below k as <k)',
  params: segmentParams,
  querystring: Type.Object({
    from: Type.String({ format: 'date' }),
    to: Type.String({ format: 'date' }),
  }),
  response: {
    200: Type.Object({ sizes: Type.Array(Type.Object({ day: Type.String(), size: Count })) }),
    ...errors,
  },
};

export const memberCountRoute = {
  ...guarded,
  summary: 'Number of members: refused below k and when it would single people out against earlier counts',
  params: segmentParams,
  response: { 200: Type.Object({ count: Type.Integer() }), ...errors },
};

const Month = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$' });
export const tierMigrationRoute = {
  ...guarded,
  summary: 'Tier migration: people by engagement grade in one month and another (cells below k as <k)',
  params: orgParams,
  querystring: Type.Object({ from: Month, to: Month }),
  response: {
    200: Type.Object({
      from: Type.String(),
      to: Type.String(),
      grades: Type.Array(Type.String()),
      cells: Type.Array(Type.Array(Count)),
    }),
    ...errors,
    503: ProblemResponse,
  },
};

export const concentrationRoute = {
  ...guarded,
  summary: 'Concentration (80/20) of the usage value score',
  params: orgParams,
  response: {
    200: Type.Object({
      people: Type.Integer(),
      share: Type.Number(),
      people_share_for_value_share: Type.Union([Type.Number(), Type.Null()]),
      top_share: Type.Number(),
      value_share_of_top: Type.Union([Type.Number(), Type.Null()]),
    }),
    ...errors,
  },
};

export const funnelRoute = {
  ...guarded,
  summary: 'Lifecycle funnel: people per stage (below k as <k)',
  params: orgParams,
  response: {
    200: Type.Object({ stages: Type.Array(Type.Object({ stage: Type.String(), people: Count })) }),
    ...errors,
  },
};
