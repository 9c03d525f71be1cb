import { type Static, Type } from 'typebox';
import { GATEWAY_ID_PATTERN } from './topics.js';
import { payloadParser } from './validate.js';

export type { EnvelopeIssue } from './validate.js';

export const WIRE_VERSION = 1;
export const MAX_READINGS_PER_ENVELOPE = 1000;

/** A household member as the gateway was told about them (an opaque id from the platform). */
const MEMBER_ID = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });

/**
 * Who a reading without a slot probably belongs to (scales without UDS), by the rule in
 * docs/gateway-history.md. Only a hint: the slot stays null until the platform attributes the reading.
 */
export const ReadingHintSchema = Type.Object(
  {
    by: Type.Literal('weight'),
    /** The only member within tolerance; null when two or more are (ambiguous). */
    member: Type.Union([MEMBER_ID, Type.Null()]),
    /** 1 at the member's recent weight, falling to 0 at the edge of the tolerance; 0 when ambiguous. */
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    /** Every member within tolerance, nearest first. */
    candidates: Type.Array(MEMBER_ID, { maxItems: 16 }),
  },
  { additionalProperties: false },
);

/** Envelope v1 for `lw/v1/gw/{gw}/readings`; documented field by field in docs/wire-format.md. */
export const ReadingSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    device: Type.String({ pattern: '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$' }),
    slot: Type.Union([Type.Integer({ minimum: 0, maximum: 255 }), Type.Null()]),
    metric: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    char: Type.String({ pattern: '^[0-9a-f]{4}$' }),
    t: Type.Integer({ minimum: 0 }),
    rt: Type.Integer({ minimum: 0 }),
    time_source: Type.Union([Type.Literal('device'), Type.Literal('gateway'), Type.Literal('corrected')]),
    values: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), Type.Number()),
    /** The unit the device reported when it was not the canonical one (UCUM, e.g. "kPa", "[lb_av]"). */
    orig_unit: Type.Optional(Type.String({ maxLength: 32 })),
    quality: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), { maxItems: 32 }),
    raw: Type.String({ pattern: '^([0-9a-f]{2})*$', maxLength: 1024 }),
    parser: Type.String({ maxLength: 64 }),
    hint: Type.Optional(ReadingHintSchema),
  },
  { additionalProperties: false },
);

export const ReadingsEnvelopeSchema = Type.Object(
  {
    v: Type.Literal(WIRE_VERSION),
    gw: Type.String({ pattern: GATEWAY_ID_PATTERN }),
    seq: Type.Integer({ minimum: 0 }),
    sent_at: Type.Integer({ minimum: 0 }),
    readings: Type.Array(ReadingSchema, { minItems: 1, maxItems: MAX_READINGS_PER_ENVELOPE }),
  },
  { additionalProperties: false },
);

export type Reading = Static<typeof ReadingSchema>;
export type ReadingHint = Static<typeof ReadingHintSchema>;
export type ReadingsEnvelope = Static<typeof ReadingsEnvelopeSchema>;

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
