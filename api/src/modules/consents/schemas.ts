import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

const tags = ['consents'];
const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
// Purposes, categories, recipients and channels are checked by the service, which answers each with its
// own code (docs/errors.md "### consents"); the schema only bounds their size.
const Field = Type.String({ minLength: 1, maxLength: 80 });

export const ConsentStateSchema = Type.Object({
  purpose: Type.String(),
  category: Type.String(),
  recipient: Type.String(),
  granted: Type.Boolean(),
  state: Type.Union([
    Type.Literal('granted'),
    Type.Literal('withdrawn'),
    Type.Literal('expired'),
    Type.Literal('default_on'),
    Type.Literal('default_off'),
  ]),
  text_version: NullableString,
  current_text_version: Type.String(),
  granted_at: NullableTime,
  expires_at: NullableTime,
  withdrawn_at: NullableTime,
  channel: NullableString,
});

const TextSchema = Type.Object({
  purpose: Type.String(),
  version: Type.String(),
  locale: Type.String(),
  text: Type.String(),
  sha256: Type.String(),
});

const HistorySchema = Type.Object({
  id: Type.String(),
  purpose: Type.String(),
  category: Type.String(),
  recipient: Type.String(),
  kind: Type.Union([Type.Literal('grant'), Type.Literal('withdrawal'), Type.Literal('expiry')]),
  at: Time,
  channel: NullableString,
  text_version: NullableString,
  text_locale: NullableString,
  text_sha256: NullableString,
  expires_at: NullableTime,
});

const guarded = { security: BEARER_SECURITY, tags };
const key = { purpose: Field, category: Field, recipient: Field };

export const overviewRoute = {
  ...guarded,
  summary:
    'Your consent for every purpose × data category (recipient linkwell) and any other you hold, with the texts to show',
  response: {
    200: Type.Object({ consents: Type.Array(ConsentStateSchema), texts: Type.Array(TextSchema) }),
    ...protectedRouteErrors,
  },
};

export const historyRoute = {
  ...guarded,
  summary: 'Every consent decision you made, and each expiry, newest first',
  querystring: Type.Object(
    {
      limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
      before: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
    },
    { additionalProperties: false },
  ),
  response: { 200: Type.Object({ history: Type.Array(HistorySchema) }), ...protectedRouteErrors },
};

export const grantRoute = {
  ...guarded,
  summary: 'Grant a consent: names the version and SHA-256 of the text you were shown',
  body: Type.Object(
    {
      ...key,
      text_version: Type.String({ minLength: 1, maxLength: 40 }),
      text_sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
      channel: Field,
      expires_at: Type.Optional(Time),
    },
    { additionalProperties: false },
  ),
  response: { 200: ConsentStateSchema, ...protectedRouteErrors, 409: ProblemResponse },
};

export const withdrawRoute = {
  ...guarded,
  summary: 'Withdraw a consent; withdrawing one not given records nothing (`recorded: false`)',
  body: Type.Object({ ...key, channel: Type.Optional(Field) }, { additionalProperties: false }),
  response: {
    200: Type.Object({ recorded: Type.Boolean(), consent: ConsentStateSchema }),
    ...protectedRouteErrors,
  },
};
