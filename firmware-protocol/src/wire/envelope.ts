import type { XStatic } from 'typebox/schema';
import { GATEWAY_ID_PATTERN } from './topics.js';
import { payloadParser } from './validate.js';

export type { EnvelopeIssue } from './validate.js';

// The wire schemas are JSON Schema literals rather than TypeBox builder calls: TypeBox's schema compiler
// infers their static types all the same, and a gateway then never loads the builder, about 9 MB of RSS
// on a board with a 60 MB budget (docs/decisions.md, "Wire schemas as JSON Schema literals").

export const WIRE_VERSION = 1;
export const MAX_READINGS_PER_ENVELOPE = 1000;

const NAME = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' } as const;
const UINT = { type: 'integer', minimum: 0 } as const;
/** A household member as the gateway was told about them (an opaque id from the platform). */
const MEMBER_ID = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } as const;
export const ADDRESS = { type: 'string', pattern: '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$' } as const;

/**
 * Who a reading without a slot probably belongs to (scales without UDS), by the rule in
 * docs/gateway-history.md. Only a hint: the slot stays null until the platform attributes the reading.
 * `member` is the only member within tolerance (null when two or more are: ambiguous); `confidence` is 1 at
 * the member's recent weight, falling to 0 at the edge of the tolerance (0 when ambiguous); `candidates`
 * are every member within tolerance, nearest first.
 */
export const ReadingHintSchema = {
  type: 'object',
  required: ['by', 'member', 'confidence', 'candidates'],
  properties: {
    by: { type: 'string', const: 'weight' },
    member: { anyOf: [MEMBER_ID, { type: 'null' }] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    candidates: { type: 'array', items: MEMBER_ID, maxItems: 16 },
  },
  additionalProperties: false,
} as const;

/**
 * One reading of envelope v1 for `lw/v1/gw/{gw}/readings`; documented field by field in
 * docs/wire-format.md. `orig_unit` is the unit the device reported when it was not the canonical one
 * (UCUM, e.g. "kPa", "[lb_av]").
 */
export const ReadingSchema = {
  type: 'object',
  required: [
    'id',
    'device',
    'slot',
    'metric',
    'char',
    't',
    'rt',
    'time_source',
    'values',
    'quality',
    'raw',
    'parser',
  ],
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
    device: ADDRESS,
    slot: { anyOf: [{ type: 'integer', minimum: 0, maximum: 255 }, { type: 'null' }] },
    metric: NAME,
    char: { type: 'string', pattern: '^[0-9a-f]{4}$' },
    t: UINT,
    rt: UINT,
    time_source: {
      anyOf: [
        { type: 'string', const: 'device' },
        { type: 'string', const: 'gateway' },
        { type: 'string', const: 'corrected' },
      ],
    },
    // Value names become InfluxDB field keys, so a name outside the pattern is refused, not passed on.
    values: {
      type: 'object',
      patternProperties: { '^[a-z][a-z0-9_]{0,63}$': { type: 'number' } },
      additionalProperties: false,
    },
    orig_unit: { type: 'string', maxLength: 32 },
    quality: { type: 'array', items: NAME, maxItems: 32 },
    raw: { type: 'string', pattern: '^([0-9a-f]{2})*$', maxLength: 1024 },
    parser: { type: 'string', maxLength: 64 },
    hint: ReadingHintSchema,
  },
  additionalProperties: false,
} as const;

export const ReadingsEnvelopeSchema = {
  type: 'object',
  required: ['v', 'gw', 'seq', 'sent_at', 'readings'],
  properties: {
    v: { type: 'number', const: WIRE_VERSION },
    gw: { type: 'string', pattern: GATEWAY_ID_PATTERN },
    seq: UINT,
    sent_at: UINT,
    readings: { type: 'array', items: ReadingSchema, minItems: 1, maxItems: MAX_READINGS_PER_ENVELOPE },
  },
  additionalProperties: false,
} as const;

export type Reading = XStatic<typeof ReadingSchema>;
export type ReadingHint = XStatic<typeof ReadingHintSchema>;
export type ReadingsEnvelope = XStatic<typeof ReadingsEnvelopeSchema>;

/**
 * Parses and validates a readings payload. Throws ProtocolError with a code (never a SyntaxError) and at
 * most 10 schema issues in `details`.
 */
export const parseReadingsEnvelope = payloadParser<ReadingsEnvelope>(
  ReadingsEnvelopeSchema,
  'readings envelope',
  WIRE_VERSION,
);

export function encodeReadingsEnvelope(env: ReadingsEnvelope): string {
  return JSON.stringify(env);
}
