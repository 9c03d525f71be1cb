import { Type } from 'typebox';
import { BEARER_SECURITY, ErrorBodySchema, protectedRouteErrors } from '../../http/schemas.js';
import { BMI_SCHEMES, BP_SCHEMES } from './classify/index.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const enumOf = (ids: readonly string[]) => Type.Union(ids.map((id) => Type.Literal(id)));

export const ProfileQuerySchema = Type.Object(
  { account: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
  { additionalProperties: false },
);

export const UnitsSchema = Type.Object(
  {
    mass: Type.Optional(enumOf(['kg', 'lb', 'jin'])),
    pressure: Type.Optional(enumOf(['mmHg', 'kPa'])),
    temperature: Type.Optional(enumOf(['C', 'F'])),
  },
  { additionalProperties: false },
);

export const ProfileSchema = Type.Object({
  account: Type.String(),
  time_zone: Type.String({ description: 'The zone in force now (UTC until one is set).' }),
  time_zone_history: Type.Array(
    Type.Object({ time_zone: Type.String(), from: Type.String({ format: 'date-time' }) }),
  ),
  birth_date: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  height_m: Type.Union([Type.Number(), Type.Null()]),
  units: Type.Record(Type.String(), Type.String()),
  bp_scheme: Type.Union([Type.String(), Type.Null()]),
  bp_setting: Type.Union([Type.String(), Type.Null()]),
  bmi_scheme: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const ProfileChangeSchema = Type.Object(
  {
    time_zone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Shanghai.' }),
    ),
    time_zone_from: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the new zone took effect; default now.' }),
    ),
    birth_date: Type.Optional(Nullable(Type.String({ format: 'date' }))),
    height_m: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0.3, exclusiveMaximum: 2.8 }), Type.Null()]),
    ),
    units: Type.Optional(UnitsSchema),
    bp_scheme: Type.Optional(Type.Union([enumOf(BP_SCHEMES.map((s) => s.id)), Type.Null()])),
    bp_setting: Type.Optional(Type.Union([enumOf(['home', 'office']), Type.Null()])),
    bmi_scheme: Type.Optional(Type.Union([enumOf(BMI_SCHEMES.map((s) => s.id)), Type.Null()])),
  },
  { additionalProperties: false },
);

export const getProfileRoute = {
  summary: 'Health profile',
  description: 'Time zone history, birth date, height, display units and classification schemes of a person.',
  tags: ['trends'],
  security: BEARER_SECURITY,
  querystring: ProfileQuerySchema,
  response: { 200: ProfileSchema, ...protectedRouteErrors, 404: ErrorBodySchema },
} as const;

export const putProfileRoute = {
  summary: 'Change the health profile',
  description:
    'Changes only the fields sent. A new time zone applies from `time_zone_from` (default now); daily trends before it keep the old zone.',
  tags: ['trends'],
  security: BEARER_SECURITY,
  querystring: ProfileQuerySchema,
  body: ProfileChangeSchema,
  response: { 200: ProfileSchema, ...protectedRouteErrors, 404: ErrorBodySchema },
} as const;
