import { ProtocolError } from '../errors.js';

/**
 * Conversions to the canonical UCUM unit of each quantity. Factors: 1 mmHg = 0.133322387415 kPa
 * (BIPM conventional), 1 lb = 0.45359237 kg and 1 in = 0.0254 m (international yard and pound, 1959).
 */
const TO_CANONICAL: Record<string, { canonical: string; convert: (v: number) => number }> = {
  'mm[Hg]': { canonical: 'mm[Hg]', convert: (v) => v },
  kPa: { canonical: 'mm[Hg]', convert: (v) => v / 0.133322387415 },
  kg: { canonical: 'kg', convert: (v) => v },
  '[lb_av]': { canonical: 'kg', convert: (v) => v * 0.45359237 },
  // Xiaomi's "jin" (市斤) is exactly 0.5 kg; UCUM has no code for it, so it is an annotation.
  '{jin}': { canonical: 'kg', convert: (v) => v * 0.5 },
  m: { canonical: 'm', convert: (v) => v },
  '[in_i]': { canonical: 'm', convert: (v) => v * 0.0254 },
  Cel: { canonical: 'Cel', convert: (v) => v },
  '[degF]': { canonical: 'Cel', convert: (v) => ((v - 32) * 5) / 9 },
};

/** Converts to the canonical unit, rounded to 6 significant decimals so 120 mmHg sent in kPa comes back as 120. */
export function toCanonical(value: number, unit: string): { value: number; unit: string } {
  const c = TO_CANONICAL[unit];
  if (!c) throw new ProtocolError('PROTO_ERR_UNSUPPORTED', `no conversion from unit ${unit}`);
  return { value: Number(c.convert(value).toPrecision(10)), unit: c.canonical };
}

export const KNOWN_UNITS = Object.keys(TO_CANONICAL);
