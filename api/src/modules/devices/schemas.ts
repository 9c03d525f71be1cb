import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';
import { CommandSchema } from '../gateways/index.js';

const tags = ['devices'];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Mode = Type.Union([Type.Literal('single'), Type.Literal('slots'), Type.Literal('weight')]);
const Address = Type.String({
  pattern: '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$',
  description: 'AA:BB:CC:DD:EE:FF',
});
const Name = Type.String({ minLength: 1, maxLength: 100 });
/** UDS v1.0 §3.4: a four-digit consent code (0000-9999); a secret, never echoed back. */
const ConsentCode = Type.String({
  pattern: '^[0-9]{4}$',
  description: 'Four digits; never stored or echoed.',
});

export const NearbySchema = Type.Object({
  address: Type.String(),
  name: Nullable(Type.String()),
  profile_id: Nullable(Type.String()),
  model: Nullable(Type.String()),
  maker: Nullable(Type.String({ description: 'Manufacturer Name from the Device Information Service.' })),
  battery_percent: Nullable(Type.Integer()),
  rssi: Nullable(Type.Integer()),
  gateway_id: Type.String({ description: 'The gateway that heard it last.' }),
  seen_at: Time,
});

export const DeviceSchema = Type.Object({
  id: Type.String(),
  household_id: Type.String(),
  address: Type.String(),
  name: Nullable(Type.String()),
  kind: Type.String(),
  profile_id: Nullable(Type.String()),
  model: Nullable(Type.String()),
  maker: Nullable(Type.String()),
  battery_percent: Nullable(Type.Integer()),
  attribution: Mode,
  slot_count: Nullable(Type.Integer()),
  owner: Nullable(Type.String()),
  slots: Type.Array(Type.Object({ slot: Type.Integer(), account_id: Type.String() })),
  claimed_by: Nullable(Type.String()),
  claimed_at: Nullable(Time),
  created_at: Time,
});

const guarded = { security: BEARER_SECURITY, tags };
const errors = { ...protectedRouteErrors, 404: ProblemResponse, 409: ProblemResponse };
const hid = Type.Object({ hid: Id });
const id = Type.Object({ id: Id });
const slotParams = Type.Object({ id: Id, slot: Type.Integer({ minimum: 0, maximum: 254 }) });

export const nearbyRoute = {
  ...guarded,
  summary: "Devices the household's gateways heard in the last day and it has not claimed",
  params: hid,
  response: { 200: Type.Object({ nearby: Type.Array(NearbySchema) }), ...errors },
};

export const listRoute = {
  ...guarded,
  summary: "The household's claimed devices",
  params: hid,
  response: { 200: Type.Object({ devices: Type.Array(DeviceSchema) }), ...errors },
};

export const claimRoute = {
  ...guarded,
  summary: 'Claim a device one of the household’s gateways heard',
  params: hid,
  body: Type.Object({ address: Address, name: Type.Optional(Name) }, { additionalProperties: false }),
  response: { 201: DeviceSchema, ...errors },
};

export const getRoute = {
  ...guarded,
  summary: 'A claimed device',
  params: id,
  response: { 200: DeviceSchema, ...errors },
};

export const renameRoute = {
  ...guarded,
  summary: 'Rename a device',
  params: id,
  body: Type.Object({ name: Name }, { additionalProperties: false }),
  response: { 200: DeviceSchema, ...errors },
};

export const unclaimRoute = {
  ...guarded,
  summary: 'Unclaim a device (its assignments go with it)',
  params: id,
  response: { 204: Type.Null(), ...errors },
};

export const ownerRoute = {
  ...guarded,
  summary: 'Assign a single-owner device to a member',
  params: id,
  body: Type.Object({ account_id: Id }, { additionalProperties: false }),
  response: { 200: DeviceSchema, ...errors },
};

export const assignSlotRoute = {
  ...guarded,
  summary: 'Map a slot (UDS user index, BLS user id) of a multi-user device to a member',
  description:
    'import_history (default true): false discards what waits in the inbox for this slot instead of importing it (the first-sync guard). consent_code (UDS scales): also queues uds_consent for the slot, so the gateway consents as that user on every link; the answer includes the command (follow it with GET /v1/commands/{id}).',
  params: slotParams,
  body: Type.Object(
    {
      account_id: Id,
      import_history: Type.Optional(Type.Boolean()),
      consent_code: Type.Optional(ConsentCode),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      ...DeviceSchema.properties,
      discarded_inbox_items: Type.Integer(),
      command: Type.Optional(CommandSchema),
    }),
    ...errors,
  },
};

export const registerUserRoute = {
  ...guarded,
  summary: 'Register a member as a new user on a multi-user scale and map the slot the scale assigns',
  description:
    'Queues uds_register (UDS Register New User with the consent code) on the household’s gateway, waits for its result (up to the command deadline plus the answer grace) and maps the user index the scale assigned to the member. 502 API_ERR_UDS_REGISTER_FAILED when the gateway did not register the user; nothing is mapped then.',
  params: id,
  body: Type.Object({ account_id: Id, consent_code: ConsentCode }, { additionalProperties: false }),
  response: {
    201: Type.Object({ slot: Type.Integer(), device: DeviceSchema, command: CommandSchema }),
    ...errors,
    502: ProblemResponse,
  },
};

export const clearSlotRoute = {
  ...guarded,
  summary: 'Unmap a slot',
  params: slotParams,
  response: { 204: Type.Null(), ...errors },
};

export const attributionRoute = {
  ...guarded,
  summary: 'Change how a device’s readings are attributed',
  params: id,
  body: Type.Object({ mode: Mode }, { additionalProperties: false }),
  response: { 200: DeviceSchema, ...errors },
};

export const commandRoute = {
  ...guarded,
  summary: 'Send a device command through the household’s gateway (pair, unpair, sync, set_time)',
  description:
    'Answers 202 with the queued command; follow it with GET /v1/commands/{id} (Prefer: wait=N). pair takes the six-digit passkey the device shows.',
  params: id,
  body: Type.Object(
    {
      op: Type.Union([
        Type.Literal('pair'),
        Type.Literal('unpair'),
        Type.Literal('sync'),
        Type.Literal('set_time'),
      ]),
      passkey: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'pair only.' })),
    },
    { additionalProperties: false },
  ),
  response: { 202: CommandSchema, ...errors },
};

/** A device as an app sees it: what measures the person, never a household id or another person's account id. */
export const MeasuringDeviceSchema = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  kind: Type.String(),
  model: Nullable(Type.String()),
  maker: Nullable(Type.String()),
  battery_percent: Nullable(Type.Integer()),
  created_at: Time,
});

export const measuringRoute = {
  ...guarded,
  summary: 'The devices that measure you (for apps with devices.read)',
  response: { 200: Type.Object({ devices: Type.Array(MeasuringDeviceSchema) }), ...errors },
};
