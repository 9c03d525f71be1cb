import { Type } from 'typebox';
import { BEARER_SECURITY, ErrorBodySchema, protectedRouteErrors } from '../../http/schemas.js';
import { BMI_SCHEMES, BP_SCHEMES, CustomBpProgrammeSchema } from './classify/index.js';
import { RESTING_METHODS, SMOOTHERS } from './derived/index.js';

const enumOf = (ids: readonly string[]) => Type.Union(ids.map((id) => Type.Literal(id)));
const range = {
  from: Type.Optional(
    Type.String({ format: 'date-time', description: 'Inclusive start; default `to` − 7 days.' }),
  ),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive end; default now.' })),
  account: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'A member who shares with you.' }),
  ),
};
/** Derived results are documented in docs/derived-series.md and docs/classifiers.md; the schema names the keys. */
const Open = (description: string) =>
  Type.Object({ account: Type.String() }, { additionalProperties: true, description });
const errors = {
  ...protectedRouteErrors,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  502: ErrorBodySchema,
  503: ErrorBodySchema,
};
const base = { tags: ['trends'], security: BEARER_SECURITY } as const;

export const restingRoute = {
  ...base,
  summary: 'Resting heart rate per civil day',
  description:
    'Each day says its method: device-reported, sustained-still (lowest still 5–30 min mean) or spot.',
  querystring: Type.Object(
    {
      ...range,
      method: Type.Optional(enumOf(['auto', ...RESTING_METHODS])),
      window_minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 30 })),
    },
    { additionalProperties: false },
  ),
  response: { 200: Open('`days`: [{ date, zone, bpm, method, inputs }]'), ...errors },
} as const;

export const zonesRoute = {
  ...base,
  summary: 'Heart-rate zones and minutes per zone per civil day',
  querystring: Type.Object(
    {
      ...range,
      model: Type.Optional(enumOf(['pct-hrmax', 'karvonen'])),
      hrmax: Type.Optional(enumOf(['fox', 'tanaka'])),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Open('zone bounds in bpm and `days`: [{ date, zone, minutes: { below, z1…z5 } }]'),
    ...errors,
  },
} as const;

export const smoothedWeightRoute = {
  ...base,
  summary: 'Smoothed weight and weekly rate of change',
  querystring: Type.Object(
    {
      ...range,
      smoother: Type.Optional(enumOf(SMOOTHERS)),
      units: Type.Optional(Type.String({ maxLength: 32 })),
    },
    { additionalProperties: false },
  ),
  response: { 200: Open('`points`: [{ t, raw, smoothed }], `weekly_rate`, `unit`'), ...errors },
} as const;

export const bmiRoute = {
  ...base,
  summary: 'BMI from the latest weight and height, classified',
  querystring: Type.Object(
    { account: range.account, scheme: Type.Optional(enumOf(BMI_SCHEMES.map((s) => s.id))) },
    { additionalProperties: false },
  ),
  response: { 200: Open('`bmi`, `weight`, `height`, `classification`, `bands`'), ...errors },
} as const;

export const bpClassificationRoute = {
  ...base,
  summary: 'Blood-pressure classification under a guideline',
  description:
    'The mean of at least 2 cuffed readings on at least 2 occasions, under the chosen scheme and setting; names its scheme, version, inputs and a disclaimer. Not a diagnosis.',
  querystring: Type.Object(
    {
      ...range,
      scheme: Type.Optional(enumOf(BP_SCHEMES.map((s) => s.id))),
      setting: Type.Optional(enumOf(['home', 'office'])),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Open('see docs/classifiers.md; `urgent_readings` lists readings at or above 180 and/or 120'),
    ...errors,
  },
} as const;

export const schemesRoute = {
  ...base,
  summary: 'Classification schemes with their thresholds and sources',
  response: {
    200: Type.Object({ blood_pressure: Type.Array(Type.Unknown()), bmi: Type.Array(Type.Unknown()) }),
    ...protectedRouteErrors,
  },
} as const;

const AccountOnly = Type.Object({ account: range.account }, { additionalProperties: false });

export const getProgrammeRoute = {
  ...base,
  summary: 'Custom blood-pressure programme',
  querystring: AccountOnly,
  response: { 200: Open('`programme` or null'), ...errors },
} as const;

export const putProgrammeRoute = {
  ...base,
  summary: 'Set the custom blood-pressure programme',
  querystring: AccountOnly,
  body: CustomBpProgrammeSchema,
  response: { 200: Open('`programme`'), ...errors, 400: ErrorBodySchema },
} as const;
