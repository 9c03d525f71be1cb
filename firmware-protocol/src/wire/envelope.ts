import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ProtocolError } from '../errors.js';
import { GATEWAY_ID_PATTERN } from './topics.js';

export const WIRE_VERSION = 1;
export const MAX_READINGS_PER_ENVELOPE = 1000;

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
    quality: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), { maxItems: 32 }),
    raw: Type.String({ pattern: '^([0-9a-f]{2})*$', maxLength: 1024 }),
    parser: Type.String({ maxLength: 64 }),
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
export type ReadingsEnvelope = Static<typeof ReadingsEnvelopeSchema>;

const check = Compile(ReadingsEnvelopeSchema);

export interface EnvelopeIssue {
  path: string;
  message: string;
}

/**
 * Parses and validates a readings payload. Throws ProtocolError with a code, never a SyntaxError,
 * and with at most 10 schema issues in `details` so a hostile payload cannot blow up logs.
 */
export function parseReadingsEnvelope(payload: Uint8Array | string): ReadingsEnvelope {
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError('PROTO_ERR_INVALID_JSON', (e as Error).message);
  }
  if (typeof data === 'object' && data !== null && 'v' in data && data.v !== WIRE_VERSION) {
    throw new ProtocolError(
      'PROTO_ERR_UNSUPPORTED_VERSION',
      `wire version ${String(data.v)} is not ${WIRE_VERSION}`,
    );
  }
  if (!check.Check(data)) {
    const issues: EnvelopeIssue[] = [];
    for (const err of check.Errors(data)) {
      issues.push({ path: err.instancePath || '/', message: err.message ?? 'invalid' });
      if (issues.length >= 10) break;
    }
    const first = issues[0];
    throw new ProtocolError(
      'PROTO_ERR_INVALID_ENVELOPE',
      first ? `${first.path}: ${first.message}` : 'envelope does not match the v1 schema',
      undefined,
      issues,
    );
  }
  return data;
}

export function encodeReadingsEnvelope(env: ReadingsEnvelope): string {
  return JSON.stringify(env);
}
