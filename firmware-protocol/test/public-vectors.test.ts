import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODECS, decodeToView, fromHex } from '../src/index.js';

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

/**
 * The output restricted to the keys the vector asserts; each of those must deep-equal the expected value.
 * Vectors come from different projects that assert different subsets of what a frame holds (the view may
 * say more, e.g. the error `code` and `offset`, or a date one source ignores), so extra keys are allowed and
 * a missing or different asserted key fails.
 */
function asserted(view: Record<string, unknown>, expected: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(expected).map((k) => [k, view[k]]));
}

describe('public vectors', () => {
  it('are present beside the repository', () => {
    expect(existsSync(VECTORS), `missing ${VECTORS}: the repo expects shared/ as its sibling`).toBe(true);
  });

  const vectors: Vector[] = existsSync(VECTORS) ? JSON.parse(readFileSync(VECTORS, 'utf8')) : [];

  it('has a codec for every characteristic in the vectors file', () => {
    const missing = [...new Set(vectors.map((v) => v.characteristic))].filter((c) => !CODECS.has(c));
    expect(missing).toEqual([]);
  });

  for (const v of vectors.filter((x) => CODECS.has(x.characteristic))) {
    it(`${v.characteristic} ${v.id}`, () => {
      expect(asserted(decodeToView(v.characteristic, fromHex(v.hex)!), v.expected)).toEqual(v.expected);
    });
  }
});
