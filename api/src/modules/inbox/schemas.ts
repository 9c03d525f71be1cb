import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

const tags = ['inbox'];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_]+$' });
const Time = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const guarded = { security: BEARER_SECURITY, tags };
const errors = { ...protectedRouteErrors, 404: ProblemResponse, 409: ProblemResponse };
const params = Type.Object({ id: Id });
const itemParams = Type.Object({ id: Id, itemId: Id });

export const MAX_INBOX_PAGE = 200;
export const DEFAULT_INBOX_PAGE = 50;

export const MoveSchema = Type.Object({
  id: Type.String(),
  household_id: Type.String(),
  kind: Type.Union([Type.Literal('file'), Type.Literal('reassign')]),
  state: Type.Union([
    Type.Literal('pending'),
    Type.Literal('copied'),
    Type.Literal('done'),
    Type.Literal('failed'),
  ]),
  inbox_item_id: NullableString,
  metric: Type.String(),
  device_id: Type.String(),
  measured_at: Time,
  from_account_id: NullableString,
  to_account_id: Type.String(),
  requested_by: Type.String(),
  created_at: Time,
  done_at: Type.Union([Time, Type.Null()]),
  error_code: NullableString,
});

const State = Type.Union([
  Type.Literal('held'),
  Type.Literal('filing'),
  Type.Literal('stored'),
  Type.Literal('discarded'),
  Type.Literal('expired'),
]);

export const InboxItemSchema = Type.Object({
  id: Type.String(),
  metric: Type.String(),
  measured_at: Time,
  values: Type.Record(Type.String(), Type.Number()),
  device_id: NullableString,
  device_address: Type.String(),
  slot: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([
    Type.Literal('unknown_device'),
    Type.Literal('unassigned_slot'),
    Type.Literal('ambiguous'),
  ]),
  hint: Type.Array(
    Type.Object({
      account_id: Type.String(),
      display_name: Type.String(),
      confidence: Type.Number(),
      rule: NullableString,
    }),
  ),
  state: State,
  target_account_id: NullableString,
  decided_by: NullableString,
  decided_at: Type.Union([Time, Type.Null()]),
  received_at: Time,
});

export const listInboxRoute = {
  ...guarded,
  summary: "The household's inbox: readings waiting for a person, newest first",
  params,
  querystring: Type.Object(
    {
      state: Type.Optional(State),
      include_unknown_devices: Type.Optional(
        Type.Boolean({ description: 'Also readings of devices the household has not claimed' }),
      ),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INBOX_PAGE })),
      cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      items: Type.Array(InboxItemSchema),
      next_cursor: Type.Union([Type.String(), Type.Null()], {
        description: 'Pass as `cursor` for the next page',
      }),
    }),
    ...errors,
  },
};

export const fileRoute = {
  ...guarded,
  summary: 'File a held reading under a member at its own time (202; ingest stores it)',
  params: itemParams,
  body: Type.Object({ account_id: Id }, { additionalProperties: false }),
  response: { 202: Type.Object({ item: InboxItemSchema, move: MoveSchema }), ...errors },
};

export const discardRoute = {
  ...guarded,
  summary: 'Discard a held reading',
  params: itemParams,
  response: { 200: Type.Object({ item: InboxItemSchema }), ...errors },
};

export const moveRoute = {
  ...guarded,
  summary: 'A move (filing or reassignment) and how far ingest got',
  params: Type.Object({ id: Id, moveId: Id }),
  response: { 200: Type.Object({ move: MoveSchema }), ...errors },
};

const Kg = Type.Number({ exclusiveMinimum: 0, maximum: 500 });
const NullableKg = Type.Union([Kg, Type.Null()]);

export const RuleSchema = Type.Object({
  id: Type.String(),
  account_id: Type.String(),
  device_id: NullableString,
  kind: Type.Union([Type.Literal('weight_range'), Type.Literal('weight_near_trend')]),
  min_kg: Type.Union([Type.Number(), Type.Null()]),
  max_kg: Type.Union([Type.Number(), Type.Null()]),
  tolerance_kg: Type.Union([Type.Number(), Type.Null()]),
  threshold: Type.Number(),
  created_by: Type.String(),
  created_at: Time,
});

export const listRulesRoute = {
  ...guarded,
  summary: 'Auto-rules for shared scales of the members whose data the caller sees',
  params,
  response: { 200: Type.Object({ rules: Type.Array(RuleSchema) }), ...errors },
};

export const createRuleRoute = {
  ...guarded,
  summary: 'Add an auto-rule for yourself, or for a dependent you manage',
  params,
  body: Type.Object(
    {
      account_id: Id,
      device_id: Type.Optional(Type.Union([Id, Type.Null()])),
      kind: Type.Union([Type.Literal('weight_range'), Type.Literal('weight_near_trend')]),
      min_kg: Type.Optional(NullableKg),
      max_kg: Type.Optional(NullableKg),
      tolerance_kg: Type.Optional(NullableKg),
      threshold: Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: 'Confidence at which it attributes',
      }),
    },
    { additionalProperties: false },
  ),
  response: { 201: RuleSchema, ...errors },
};

export const deleteRuleRoute = {
  ...guarded,
  summary: 'Remove an auto-rule',
  params: Type.Object({ id: Id, ruleId: Id }),
  response: { 204: Type.Null(), ...errors },
};
