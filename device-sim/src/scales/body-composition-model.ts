import type { DateOfBirth, Gender } from '@linkwell/firmware-protocol';

/** What a scale knows about the person on it: the UDS profile it computes body composition from. */
export interface BodyProfile {
  heightCm: number;
  gender: Gender;
  ageYears: number;
}

/**
 * One body-composition result, already rounded to the steps the BCM carries (BCS v1.0 §3.2: masses 0.005 kg,
 * percentages 0.1 %, impedance 0.1 Ω, basal metabolism 1 kJ), so decoded frames equal these numbers.
 */
export interface BodyComposition {
  weightKg: number;
  bodyFatPercent: number;
  musclePercent: number;
  muscleMassKg: number;
  fatFreeMassKg: number;
  softLeanMassKg: number;
  bodyWaterMassKg: number;
  impedanceOhm: number;
  basalMetabolismKj: number;
}

const tenth = (v: number) => Math.round(v * 10) / 10;
const mass = (v: number) => Math.round(v * 200) / 200;

/** 1 for male, 0 for female; a scale without the answer sits halfway. */
const maleness = (g: Gender) => (g === 'male' ? 1 : g === 'female' ? 0 : 0.5);

/**
 * Textbook bioimpedance relations, chosen so every output stays consistent with weight and height:
 * body fat from BMI, age and sex (Deurenberg 1991) plus a per-person offset; lean tissue 72 % water; skeletal
 * muscle about half the fat-free mass; impedance from height²/water (the 0.59·H²/Z water estimate solved for Z);
 * basal metabolism by Mifflin-St Jeor. `fatOffset` and `impedanceNoise` (Ω) are the person's and the reading's
 * own variation, drawn by the caller from its seeded stream.
 */
export function bodyComposition(
  weightKg: number,
  p: BodyProfile,
  fatOffset: number,
  impedanceNoise: number,
): BodyComposition {
  const m = maleness(p.gender);
  const heightM = p.heightCm / 100;
  const bmi = weightKg / (heightM * heightM);
  const fat = Math.min(60, Math.max(4, 1.2 * bmi + 0.23 * p.ageYears - 10.8 * m - 5.4 + fatOffset));
  const fatFree = weightKg * (1 - fat / 100);
  const water = 0.72 * fatFree;
  const muscle = (0.47 + 0.05 * m) * fatFree;
  const bone = 0.055 * fatFree;
  const kcal = 10 * weightKg + 6.25 * p.heightCm - 5 * p.ageYears + 166 * m - 161;
  return {
    weightKg,
    bodyFatPercent: tenth(fat),
    musclePercent: tenth((muscle / weightKg) * 100),
    muscleMassKg: mass(muscle),
    fatFreeMassKg: mass(fatFree),
    softLeanMassKg: mass(fatFree - bone),
    bodyWaterMassKg: mass(water),
    impedanceOhm: tenth((0.59 * p.heightCm * p.heightCm) / water + impedanceNoise),
    basalMetabolismKj: Math.round(kcal * 4.184),
  };
}

/** Scales display and send weight in their own granularity; these report 0.05 kg (Feature code 4). */
export const roundWeightKg = (kg: number) => Math.round(kg * 20) / 20;

/** Age on the day of the weighing; a user without a birth date counts as 40, the middle of a scale's range. */
export function ageYears(dob: DateOfBirth, atMs: number): number {
  if (dob.year === 0) return 40;
  const now = new Date(atMs);
  const beforeBirthday =
    now.getUTCMonth() + 1 < dob.month || (now.getUTCMonth() + 1 === dob.month && now.getUTCDate() < dob.day);
  return Math.max(0, now.getUTCFullYear() - dob.year - (beforeBirthday ? 1 : 0));
}
