import { requireRange } from '../bytes.js';
import { ProtocolError } from '../errors.js';

/**
 * Shared by the Weight Scale, Body Composition, User Data and Xiaomi codecs: the SIG mass/height units, the
 * resolution tables of the two Feature characteristics, and a fixed-length guard.
 */

/** Flags bit 0 of 0x2A9D and 0x2A9C: 0 = SI (kg, m), 1 = imperial (lb, in). */
export type MeasurementUnits = 'si' | 'imperial';

/**
 * Wire steps (GSS, Weight / Mass fields: kg at 0.005, lb at 0.01; Height: m at 0.001, in at 0.1). The step does
 * not follow the Feature's resolution field, which describes granularity only (README, 0x2A9E note).
 */
const MASS_PER_UNIT = { si: 200, imperial: 100 } as const;
const HEIGHT_PER_UNIT = { si: 1000, imperial: 10 } as const;

/** raw / divisor, written as a division so 14000 → 70 and 23584 → 117.92 come out as the nearest doubles. */
export const massFromRaw = (raw: number, units: MeasurementUnits) => raw / MASS_PER_UNIT[units];
export const heightFromRaw = (raw: number, units: MeasurementUnits) => raw / HEIGHT_PER_UNIT[units];

/**
 * Value → raw step, rounding to the nearest step (a valid encoding of the closest representable value) and
 * rejecting anything that does not fit `max` with PROTO_ERR_OUT_OF_RANGE.
 */
export function toRaw(value: number, perUnit: number, max: number, field: string): number {
  const raw = Math.round(value * perUnit);
  requireRange(raw, 0, max, `${field} (${value} × ${perUnit})`);
  return raw;
}

export const massToRaw = (v: number, units: MeasurementUnits, field: string, max = 0xffff) =>
  toRaw(v, MASS_PER_UNIT[units], max, field);
export const heightToRaw = (v: number, units: MeasurementUnits, field: string) =>
  toRaw(v, HEIGHT_PER_UNIT[units], 0xffff, field);

/** View keys carry the unit: weight_kg / weight_lb, height_m / height_in (README "Conventions"). */
export const massKey = (base: string, units: MeasurementUnits) => `${base}_${units === 'si' ? 'kg' : 'lb'}`;
export const heightKey = (units: MeasurementUnits) => (units === 'si' ? 'height_m' : 'height_in');

/** Weight Scale Feature bits 3-6 / Body Composition Feature bits 11-14 (GSS, Weight Scale Feature). */
export const MASS_RESOLUTIONS = [
  'not specified',
  '0.5 kg / 1 lb',
  '0.2 kg / 0.5 lb',
  '0.1 kg / 0.2 lb',
  '0.05 kg / 0.1 lb',
  '0.02 kg / 0.05 lb',
  '0.01 kg / 0.02 lb',
  '0.005 kg / 0.01 lb',
] as const;

/** Weight Scale Feature bits 7-9 / Body Composition Feature bits 15-17. */
export const HEIGHT_RESOLUTIONS = [
  'not specified',
  '0.01 m / 1 in',
  '0.005 m / 0.5 in',
  '0.001 m / 0.1 in',
] as const;

/** Reserved resolution codes decode as 'reserved' (a Feature read stays usable); encoders refuse them. */
export const resolutionName = (table: readonly string[], code: number) => table[code] ?? 'reserved';

/**
 * Fixed-layout characteristics: any other length is PROTO_ERR_WRONG_LENGTH, reported at the first missing byte
 * (short frame) or the first extra byte (long frame).
 */
export function requireLength(frame: Uint8Array, expected: number, what: string): void {
  if (frame.length !== expected) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `${what} is ${expected} byte(s), got ${frame.length}`,
      Math.min(frame.length, expected),
    );
  }
}

/** User ID / User Index 0xFF = unknown user (UDS v1.0 §3.3; WSS and BCS reuse it). */
export const UNKNOWN_USER = 0xff;

/** `user_id` plus `user_id_unknown: true` for 0xFF, as the 0x2A9C public vectors render it. */
export function userIdView(userId: number | undefined): Record<string, unknown> {
  if (userId === undefined) return {};
  return userId === UNKNOWN_USER ? { user_id: userId, user_id_unknown: true } : { user_id: userId };
}
