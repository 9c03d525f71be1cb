import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromHex, metricDefinition, PROFILES, uuid16 } from '../src/index.js';

const VECTORS = fileURLToPath(
  new URL('../../../shared/protocol-vectors/public-vectors.json', import.meta.url),
);
const vectors = (existsSync(VECTORS) ? JSON.parse(readFileSync(VECTORS, 'utf8')) : []) as {
  id: string;
  characteristic: string;
  hex: string;
  expected: { valid: boolean };
}[];
const blocks = [...new Map(PROFILES.flatMap((p) => p.blocks).map((b) => [b.id, b])).values()];

describe('profile blocks on real frames', () => {
  for (const b of blocks) {
    const frames = vectors.filter((v) => v.characteristic === uuid16(b.characteristic) && v.expected.valid);
    it(`${b.id}: turns its ${frames.length} valid public frames into readings with catalog fields in plausible ranges`, () => {
      const fields = metricDefinition(b.metric)!.fields;
      for (const v of frames) {
        for (const r of b.decode(fromHex(v.hex)!)) {
          for (const [k, value] of Object.entries(r.values)) {
            expect(fields[k], `${v.id}: field ${k}`).toBeDefined();
            expect(Number.isFinite(value), `${v.id}: ${k}=${value}`).toBe(true);
          }
          expect(r.quality.every((q) => /^[a-z][a-z0-9_]*$/.test(q))).toBe(true);
        }
      }
    });
  }

  it('converts the kPa vector 0x15 BDF0 0B00 9FF0 to mmHg: systolic 18.9 kPa = 141.76 mmHg', () => {
    const bp = blocks.find((b) => b.id === 'bls.measurement')!;
    const [r] = bp.decode(fromHex('15bdf00b009ff03c001200')!);
    expect(r?.origUnit).toBe('kPa');
    expect(r?.values.systolic).toBeCloseTo(141.76, 2);
  });
});
