import fc from 'fast-check';
import type { DateTime } from '../src/date-time.js';
import { ProtocolError } from '../src/errors.js';
import { fromHex } from '../src/hex.js';

/** Hex with spaces allowed, so spec vectors can be written field by field with a comment per byte. */
export const hex = (s: string): Uint8Array => fromHex(s.replace(/\s+/g, ''))!;

/** The code and byte offset of the ProtocolError `fn` throws; any other outcome fails the test. */
export function codeOf(fn: () => unknown): { code: string; offset: number | undefined } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return { code: e.code, offset: e.offset };
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

/** Any Date Time the spec allows (GSS §3.70): year 0 or 1582-9999, 0 meaning "unknown" for the date parts. */
export const dateTimeArb: fc.Arbitrary<DateTime> = fc.record({
  year: fc.oneof(fc.constant(0), fc.integer({ min: 1582, max: 9999 })),
  month: fc.integer({ min: 0, max: 12 }),
  day: fc.integer({ min: 0, max: 31 }),
  hours: fc.integer({ min: 0, max: 23 }),
  minutes: fc.integer({ min: 0, max: 59 }),
  seconds: fc.integer({ min: 0, max: 59 }),
});
