import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { parseReadingsEnvelope, type ReadingsEnvelope } from './envelope.js';
import { fnv1a64, readingId } from './idempotency.js';
import { gatewayTopic, parseGatewayTopic } from './topics.js';

const good: ReadingsEnvelope = {
  v: 1,
  gw: 'gw_demo',
  seq: 7,
  sent_at: 1_700_000_000_500,
  readings: [
    {
      id: '0123456789abcdef',
      device: 'D0:00:00:00:00:01',
      slot: null,
      metric: 'heart_rate',
      char: '2a37',
      t: 1_700_000_000_000,
      rt: 1_700_000_000_010,
      time_source: 'gateway',
      values: { bpm: 72 },
      quality: [],
      raw: '0648',
      parser: 'fp/0.1.0',
    },
  ],
};

function errorOf(payload: string): ProtocolError {
  try {
    parseReadingsEnvelope(payload);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

describe('readings envelope v1', () => {
  it('accepts a valid envelope and returns it unchanged', () => {
    expect(parseReadingsEnvelope(JSON.stringify(good))).toEqual(good);
  });

  it('rejects non-JSON with PROTO_ERR_INVALID_JSON', () => {
    expect(errorOf('{"v":1,').code).toBe('PROTO_ERR_INVALID_JSON');
  });

  it('rejects v=2 with PROTO_ERR_UNSUPPORTED_VERSION', () => {
    expect(errorOf(JSON.stringify({ ...good, v: 2 })).code).toBe('PROTO_ERR_UNSUPPORTED_VERSION');
  });

  it('rejects a lowercase device address with PROTO_ERR_INVALID_ENVELOPE naming /readings/0/device', () => {
    const bad = { ...good, readings: [{ ...good.readings[0], device: 'd0:00:00:00:00:01' }] };
    const e = errorOf(JSON.stringify(bad));
    expect(e.code).toBe('PROTO_ERR_INVALID_ENVELOPE');
    expect(e.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/readings/0/device' })]),
    );
  });

  it('rejects an unknown extra field with PROTO_ERR_INVALID_ENVELOPE', () => {
    expect(errorOf(JSON.stringify({ ...good, extra: true })).code).toBe('PROTO_ERR_INVALID_ENVELOPE');
  });

  it('rejects a value name that could not be an InfluxDB field key (space, capital), naming /readings/0/values', () => {
    for (const name of ['heart rate', 'Bpm', 'bpm"x']) {
      const bad = { ...good, readings: [{ ...good.readings[0], values: { [name]: 60 } }] };
      const e = errorOf(JSON.stringify(bad));
      expect(e.code).toBe('PROTO_ERR_INVALID_ENVELOPE');
      expect(e.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: '/readings/0/values' })]),
      );
    }
  });

  it('rejects an empty readings array with PROTO_ERR_INVALID_ENVELOPE', () => {
    expect(errorOf(JSON.stringify({ ...good, readings: [] })).code).toBe('PROTO_ERR_INVALID_ENVELOPE');
  });
});

describe('reading hint (optional, additive)', () => {
  const weight = {
    ...good.readings[0]!,
    metric: 'body_weight',
    char: '2a9d',
    values: { weight: 81.4 },
    quality: ['unknown_user'],
    raw: '02ae3f',
  };
  const withHint = (hint: unknown) => JSON.stringify({ ...good, readings: [{ ...weight, hint }] });

  it('accepts a weight hint naming one member with confidence 0.72', () => {
    const hint = { by: 'weight', member: 'alex', confidence: 0.72, candidates: ['alex'] };
    expect(parseReadingsEnvelope(withHint(hint)).readings[0]!.hint).toEqual(hint);
  });

  it('accepts an ambiguous hint: member null, two candidates', () => {
    const hint = { by: 'weight', member: null, confidence: 0, candidates: ['alex', 'sam'] };
    expect(parseReadingsEnvelope(withHint(hint)).readings[0]!.hint).toEqual(hint);
  });

  it('rejects confidence 1.5 with PROTO_ERR_INVALID_ENVELOPE naming /readings/0/hint/confidence', () => {
    const e = errorOf(withHint({ by: 'weight', member: 'alex', confidence: 1.5, candidates: ['alex'] }));
    expect(e.code).toBe('PROTO_ERR_INVALID_ENVELOPE');
    expect(e.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/readings/0/hint/confidence' })]),
    );
  });

  it('rejects a hint that sets the slot (unknown field) with PROTO_ERR_INVALID_ENVELOPE', () => {
    const e = errorOf(
      withHint({ by: 'weight', member: 'alex', confidence: 1, candidates: ['alex'], slot: 1 }),
    );
    expect(e.code).toBe('PROTO_ERR_INVALID_ENVELOPE');
  });
});

describe('topics', () => {
  it('builds lw/v1/gw/gw_demo/readings', () => {
    expect(gatewayTopic('gw_demo', 'readings')).toBe('lw/v1/gw/gw_demo/readings');
  });

  it('parses lw/v1/gw/gw_demo/cmd/result', () => {
    expect(parseGatewayTopic('lw/v1/gw/gw_demo/cmd/result')).toEqual({ gw: 'gw_demo', kind: 'cmd/result' });
  });

  it('refuses wildcards and unknown kinds', () => {
    expect(parseGatewayTopic('lw/v1/gw/+/readings')).toBeUndefined();
    expect(parseGatewayTopic('lw/v1/gw/gw_demo/secrets')).toBeUndefined();
    expect(() => gatewayTopic('gw/#', 'readings')).toThrow(TypeError);
  });
});

describe('readingId', () => {
  const base = {
    gw: 'gw_demo',
    device: 'D0:00:00:00:00:01',
    slot: null,
    metric: 'heart_rate',
    at: 1,
    raw: '0648',
  };

  it('matches the FNV reference values for "a" and "foobar"', () => {
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    expect(fnv1a64('')).toBe('cbf29ce484222325');
  });

  it('is stable for the same reading and differs when the frame differs', () => {
    expect(readingId(base)).toBe(readingId({ ...base }));
    expect(readingId(base)).not.toBe(readingId({ ...base, raw: '0649' }));
    expect(readingId(base)).not.toBe(readingId({ ...base, slot: 0 }));
  });
});
