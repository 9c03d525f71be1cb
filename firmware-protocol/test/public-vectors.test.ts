import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeHeartRateMeasurement, fromHex, ProtocolError, rrIntervalToMs } from '../src/index.js';

/** Public byte vectors shipped beside the repo in ../shared (see shared/protocol-vectors/README.md). */
const VECTORS = fileURLToPath(
  new URL('../../../shared/protocol-vectors/public-vectors.json', import.meta.url),
);

interface Vector {
  id: string;
  characteristic: string;
  hex: string;
  expected: Record<string, unknown> & { valid: boolean; error?: string };
}

/** Maps a codec's output onto the vectors' key convention so the comparison is exact. */
const ADAPTERS: Record<string, (frame: Uint8Array) => Record<string, unknown>> = {
  '2a37': (frame) => {
    const m = decodeHeartRateMeasurement(frame);
    return {
      valid: true,
      heart_rate_bpm: m.heartRateBpm,
      sensor_contact: m.sensorContact,
      ...(m.energyExpendedKj === undefined ? {} : { energy_expended_kJ: m.energyExpendedKj }),
      ...(m.rrIntervals1024.length === 0
        ? {}
        : {
            rr_intervals_1_1024s: m.rrIntervals1024,
            rr_intervals_ms: m.rrIntervals1024.map(rrIntervalToMs),
          }),
    };
  },
};

const ERROR_NAMES: Record<string, string> = {
  PROTO_ERR_TRUNCATED: 'truncated',
  PROTO_ERR_WRONG_LENGTH: 'wrong_length',
  PROTO_ERR_OUT_OF_RANGE: 'out_of_range',
  PROTO_ERR_MALFORMED_RESPONSE: 'malformed_response',
  PROTO_ERR_BAD_OPERAND_LENGTH: 'bad_operand_length',
  PROTO_ERR_MISSING_USER_INDEX: 'missing_user_index',
};

function run(adapter: (f: Uint8Array) => Record<string, unknown>, hex: string): Record<string, unknown> {
  try {
    return adapter(fromHex(hex)!);
  } catch (e) {
    if (e instanceof ProtocolError) return { valid: false, error: ERROR_NAMES[e.code] ?? e.code };
    throw e;
  }
}

describe('public vectors', () => {
  it('are present beside the repository', () => {
    expect(existsSync(VECTORS), `missing ${VECTORS}: the repo expects shared/ as its sibling`).toBe(true);
  });

  const vectors: Vector[] = existsSync(VECTORS) ? JSON.parse(readFileSync(VECTORS, 'utf8')) : [];
  const covered = vectors.filter((v) => ADAPTERS[v.characteristic]);

  it('cover the heart rate codec with all six 0x2A37 vectors', () => {
    expect(covered.filter((v) => v.characteristic === '2a37')).toHaveLength(6);
  });

  for (const v of covered) {
    it(`${v.characteristic} ${v.id}`, () => {
      const actual = run(ADAPTERS[v.characteristic]!, v.hex);
      expect(actual).toEqual(v.expected.valid ? v.expected : { valid: false, error: v.expected.error });
    });
  }
});
