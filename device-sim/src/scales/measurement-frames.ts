import {
  type BodyCompositionMeasurement,
  type DateTime,
  encodeWeightMeasurement,
} from '@linkwell/firmware-protocol';
import type { BodyComposition } from './body-composition-model.js';

/** User ID 0xFF: a guest the scale could not assign to a slot (UDS v1.0 §3.3, reused by WSS and BCS). */
export const GUEST = 0xff;

/** One weighing as the scale keeps it until a central confirms it. */
export interface StoredMeasurement {
  /** Slot index, or GUEST. */
  userId: number;
  /** The scale's own clock when the person stepped on (year 2000 or 1970 while unset). */
  timestamp: DateTime;
  /** null: the scale could not settle on a weight ("Measurement Unsuccessful"). */
  weightKg: number | null;
  /** From the user's UDS Height; absent when the scale does not know it. */
  heightCm?: number;
  /** Present when the scale could compute it (it knows the user's height). */
  composition?: BodyComposition;
  /** Whether to send a BCM at all: only for users with a profile, unsuccessful or not. */
  withBodyComposition: boolean;
}

/**
 * Weight Measurement 0x2A9D in SI units (WSS v1.0 §3.2). BMI and Height ride along when the user's height is
 * known; an unsuccessful weighing is Weight 0xFFFF with only Time Stamp and User ID beside it.
 */
export function weightFrame(m: StoredMeasurement): Uint8Array {
  const bmiAndHeight =
    m.weightKg !== null && m.heightCm
      ? { bmi: m.weightKg / (m.heightCm / 100) ** 2, height: m.heightCm / 100 }
      : undefined;
  return encodeWeightMeasurement({
    units: 'si',
    weight: m.weightKg,
    timestamp: m.timestamp,
    userId: m.userId,
    ...(bmiAndHeight ? { bmiAndHeight } : {}),
  });
}

/**
 * Body Composition Measurement 0x2A9C as one logical value (BCS v1.0 §3.2). An unsuccessful measurement is
 * Body Fat 0xFFFF with only Time Stamp and User ID.
 */
export function bodyCompositionOf(m: StoredMeasurement): BodyCompositionMeasurement | undefined {
  if (!m.withBodyComposition) return undefined;
  const head = { units: 'si' as const, timestamp: m.timestamp, userId: m.userId, multiplePacket: false };
  const c = m.composition;
  if (m.weightKg === null || !c) return { ...head, bodyFatPercent: null };
  return {
    ...head,
    bodyFatPercent: c.bodyFatPercent,
    basalMetabolismKj: c.basalMetabolismKj,
    musclePercent: c.musclePercent,
    muscleMass: c.muscleMassKg,
    fatFreeMass: c.fatFreeMassKg,
    softLeanMass: c.softLeanMassKg,
    bodyWaterMass: c.bodyWaterMassKg,
    impedanceOhm: c.impedanceOhm,
    weight: c.weightKg,
    ...(m.heightCm ? { height: m.heightCm / 100 } : {}),
  };
}
