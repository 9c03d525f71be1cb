import { type Static, Type } from 'typebox';
import { type ReadingsEnvelope, ReadingsEnvelopeSchema } from './envelope.js';
import { GATEWAY_ID_PATTERN } from './topics.js';
import { payloadParser } from './validate.js';

const V = Type.Literal(1);
const Gw = Type.String({ pattern: GATEWAY_ID_PATTERN });
const Address = Type.String({ pattern: '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$' });
/** Transaction id chosen by the platform and echoed by the gateway (zigbee2mqtt-style request/response). */
const Tid = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

/** `lw/v1/gw/{gw}/status`, retained; the same shape is the Last Will with state "offline". */
export const StatusSchema = Type.Object(
  {
    v: V,
    gw: Gw,
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    version: Type.String({ maxLength: 64 }),
    at: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** `lw/v1/gw/{gw}/events`: one event per message, discriminated by `type`; unknown fields are allowed for forward compatibility. */
export const EventSchema = Type.Object(
  {
    v: V,
    gw: Gw,
    type: Type.String({ pattern: '^[a-z][a-z0-9_.]{0,63}$' }),
    at: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: true },
);

const CommandBody = Type.Union([
  Type.Object(
    {
      op: Type.Literal('pair'),
      address: Address,
      passkey: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ op: Type.Literal('unpair'), address: Address }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('sync'), address: Type.Optional(Address) }, { additionalProperties: false }),
  Type.Object(
    { op: Type.Literal('set_time'), address: Type.Optional(Address) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('capture'),
      address: Address,
      seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
    },
    { additionalProperties: false },
  ),
]);

/** `lw/v1/gw/{gw}/cmd`: platform → gateway. */
export const CommandSchema = Type.Object(
  { v: V, tid: Tid, sent_at: Type.Integer({ minimum: 0 }), cmd: CommandBody },
  { additionalProperties: false },
);

/** `lw/v1/gw/{gw}/cmd/result`: the ok/error response that echoes the command's `tid`. */
export const CommandResultSchema = Type.Union([
  Type.Object(
    {
      v: V,
      gw: Gw,
      tid: Tid,
      status: Type.Literal('ok'),
      data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      v: V,
      gw: Gw,
      tid: Tid,
      status: Type.Literal('error'),
      error: Type.Object(
        { code: Type.String({ pattern: '^[A-Z]+_ERR_[A-Z_]+$' }), message: Type.String({ maxLength: 1024 }) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
]);

export type StatusMessage = Static<typeof StatusSchema>;
export type EventMessage = Static<typeof EventSchema>;
export type CommandMessage = Static<typeof CommandSchema>;
export type CommandResultMessage = Static<typeof CommandResultSchema>;

export const parseStatus = payloadParser<StatusMessage>(StatusSchema, 'status', 1);
export const parseEvent = payloadParser<EventMessage>(EventSchema, 'event', 1);
export const parseCommand = payloadParser<CommandMessage>(CommandSchema, 'command', 1);
export const parseCommandResult = payloadParser<CommandResultMessage>(
  CommandResultSchema,
  'command result',
  1,
);

/** The typed topic → payload map of contract v1. */
export interface TopicPayloads {
  readings: ReadingsEnvelope;
  status: StatusMessage;
  events: EventMessage;
  cmd: CommandMessage;
  'cmd/result': CommandResultMessage;
}

/** JSON Schema of every payload, for docs and for partners' validators (`linkwell protocol schema`). */
export const WIRE_SCHEMAS = {
  readings: ReadingsEnvelopeSchema,
  status: StatusSchema,
  events: EventSchema,
  cmd: CommandSchema,
  'cmd/result': CommandResultSchema,
} as const;
