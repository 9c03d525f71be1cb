import { describe, expect, it } from 'vitest';
import { CODECS, ProtocolError } from '../src/index.js';

/**
 * Random frames per codec must decode or fail with a ProtocolError, never anything else. `npm run fuzz`
 * raises the count to 1M per codec through FUZZ_ITERATIONS. The seed is fixed so a failure replays.
 */
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 100_000);

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe(`fuzz: ${ITERATIONS} random frames per codec`, () => {
  for (const c of CODECS.values()) {
    it(`${c.uuid} ${c.name} raises only coded errors`, () => {
      const next = rng(0x11073 ^ Number.parseInt(c.uuid, 16));
      let decoded = 0;
      let rejected = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        // Mostly short frames, where flag/length interplay lives; sometimes up to 40 bytes.
        const len = next() < 0.9 ? Math.floor(next() * 21) : Math.floor(next() * 41);
        const frame = new Uint8Array(len);
        for (let j = 0; j < len; j++) frame[j] = Math.floor(next() * 256);
        try {
          c.view(c.decode(frame));
          decoded++;
        } catch (e) {
          if (!(e instanceof ProtocolError))
            throw new Error(`${c.uuid} threw ${String(e)} on ${Buffer.from(frame).toString('hex')}`);
          rejected++;
        }
      }
      expect(decoded + rejected).toBe(ITERATIONS);
    });
  }
});
