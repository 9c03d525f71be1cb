import type { XStatic } from 'typebox/schema';
import { ADDRESS, type ReadingsEnvelope, ReadingsEnvelopeSchema } from './envelope.js';
import { GATEWAY_ID_PATTERN } from './topics.js';
import { payloadParser } from './validate.js';

// JSON Schema literals, like the readings envelope (see envelope.ts for why).
const V = { type: 'number', const: 1 } as const;
const GW = { type: 'string', pattern: GATEWAY_ID_PATTERN } as const;
/** Transaction id chosen by the platform and echoed by the gateway (zigbee2mqtt-style request/response). */
const TID = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const UINT = { type: 'integer', minimum: 0 } as const;

/** `lw/v1/gw/{gw}/status`, retained; the same shape is the Last Will with state "offline". */
export const StatusSchema = {
  type: 'object',
  required: ['v', 'gw', 'state', 'version'],
  properties: {
    v: V,
    gw: GW,
    state: {
      anyOf: [
        { type: 'string', const: 'online' },
        { type: 'string', const: 'offline' },
      ],
    },
    version: { type: 'string', maxLength: 64 },
    at: UINT,
  },
  additionalProperties: false,
} as const;

/** `lw/v1/gw/{gw}/events`: one event per message, discriminated by `type`; unknown fields are allowed for forward compatibility. */
export const EventSchema = {
  type: 'object',
  required: ['v', 'gw', 'type'],
  properties: {
    v: V,
    gw: GW,
    type: { type: 'string', pattern: '^[a-z][a-z0-9_.]{0,63}$' },
    at: UINT,
  },
  additionalProperties: true,
} as const;

/** UDS v1.0 §3.4: a consent code is 0x0000-0x270F. */
const CONSENT = { type: 'integer', minimum: 0, maximum: 9999 } as const;

const op = <Op extends string>(name: Op) => ({ type: 'string', const: name }) as const;

const CommandBody = {
  anyOf: [
    {
      type: 'object',
      required: ['op', 'address'],
      properties: { op: op('pair'), address: ADDRESS, passkey: { type: 'string', pattern: '^[0-9]{6}$' } },
      additionalProperties: false,
    },
    {
      type: 'object',
      required: ['op', 'address'],
      properties: { op: op('unpair'), address: ADDRESS },
      additionalProperties: false,
    },
    {
      type: 'object',
      required: ['op'],
      properties: { op: op('sync'), address: ADDRESS },
      additionalProperties: false,
    },
    {
      type: 'object',
      required: ['op'],
      properties: { op: op('set_time'), address: ADDRESS },
      additionalProperties: false,
    },
    {
      // Wipe credentials, bonds and state, then stop (a factory reset; the platform revokes the gateway too).
      type: 'object',
      required: ['op'],
      properties: { op: op('reset') },
      additionalProperties: false,
    },
    {
      type: 'object',
      required: ['op', 'address'],
      properties: {
        op: op('capture'),
        address: ADDRESS,
        seconds: { type: 'integer', minimum: 1, maximum: 600 },
      },
      additionalProperties: false,
    },
    {
      // UDS User Control Point Register New User (UDS v1.0 §3.4, op 0x01) with the member's consent code; the
      // result's `index` is the user index the scale assigned. The gateway then consents as that user on every
      // link. The consent code is a secret: never echoed in results or events.
      type: 'object',
      required: ['op', 'address', 'consent'],
      properties: { op: op('uds_register'), address: ADDRESS, consent: CONSENT },
      additionalProperties: false,
    },
    {
      // UDS Consent (op 0x02) for a user the scale already has; on success the gateway keeps consenting as them.
      type: 'object',
      required: ['op', 'address', 'index', 'consent'],
      properties: {
        op: op('uds_consent'),
        address: ADDRESS,
        index: { type: 'integer', minimum: 0, maximum: 254 },
        consent: CONSENT,
      },
      additionalProperties: false,
    },
  ],
} as const;

/** `lw/v1/gw/{gw}/cmd`: platform → gateway. */
export const CommandSchema = {
  type: 'object',
  required: ['v', 'tid', 'sent_at', 'cmd'],
  properties: {
    v: V,
    tid: TID,
    sent_at: UINT,
    cmd: CommandBody,
    // Additive in v1: after this time (ms since the epoch) the gateway refuses the command with
    // GATEWAY_ERR_COMMAND_EXPIRED and never runs it, so a command the platform gave up on cannot run later.
    expires_at: UINT,
  },
  additionalProperties: false,
} as const;

/** `lw/v1/gw/{gw}/cmd/result`: the ok/error response that echoes the command's `tid`. */
export const CommandResultSchema = {
  anyOf: [
    {
      type: 'object',
      required: ['v', 'gw', 'tid', 'status'],
      properties: {
        v: V,
        gw: GW,
        tid: TID,
        status: { type: 'string', const: 'ok' },
        data: { type: 'object', patternProperties: { '^.*$': {} } },
      },
      additionalProperties: false,
    },
    {
      type: 'object',
      required: ['v', 'gw', 'tid', 'status', 'error'],
      properties: {
        v: V,
        gw: GW,
        tid: TID,
        status: { type: 'string', const: 'error' },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', pattern: '^[A-Z]+_ERR_[A-Z_]+$' },
            message: { type: 'string', maxLength: 1024 },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  ],
} as const;

export type StatusMessage = XStatic<typeof StatusSchema>;
export type EventMessage = XStatic<typeof EventSchema>;
export type CommandMessage = XStatic<typeof CommandSchema>;
export type CommandResultMessage = XStatic<typeof CommandResultSchema>;

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
