import type { ReadingHint } from '../wire/envelope.js';

/** Default tolerance floor, kg, of the weight-proximity rule (gateway hint and ingest default hint). */
export const WEIGHT_TOLERANCE_KG = 2;
/** Default tolerance as a share of the person's recent weight. */
export const WEIGHT_TOLERANCE_SHARE = 0.03;

const MAX_CANDIDATES = 16;

/**
 * How far from someone's recent weight a weighing may land and still plausibly be theirs:
 * max(toleranceKg, toleranceShare × recentKg). Why 2 kg and 3 %: a person's weight moves by about a kilogram
 * within a day (meals, fluid, clothes on or off) and follows a weekly rhythm of a few tenths of a per cent
 * (Orsama et al., "Weight rhythms: weight increases during weekends and decreases during weekdays",
 * Obesity Facts 7(1), 2014); 2 kg covers a normal day-to-day swing without reaching a second adult of
 * different build, and 3 % widens it for heavier people, whose absolute swings are larger.
 */
export function weightToleranceKg(
  recentKg: number,
  toleranceKg = WEIGHT_TOLERANCE_KG,
  toleranceShare = WEIGHT_TOLERANCE_SHARE,
): number {
  return Math.max(toleranceKg, toleranceShare * recentKg);
}

/** 1 at the recent weight, falling linearly to 0 at the tolerance; negative outside it. */
export function proximityConfidence(kg: number, recentKg: number, toleranceKg: number): number {
  return 1 - Math.abs(kg - recentKg) / toleranceKg;
}

/**
 * The gateway's hint rule. A member is within tolerance when |kg − recentKg| ≤ weightToleranceKg(recentKg).
 * None within: no hint. Exactly one: that member, with confidence 1 − distance / tolerance (two decimals).
 * Two or more: an ambiguous hint (member null, confidence 0) listing them nearest first; the platform decides.
 */
export function weightHint(
  kg: number,
  members: readonly { member: string; recentKg: number }[],
  toleranceKg = WEIGHT_TOLERANCE_KG,
  toleranceShare = WEIGHT_TOLERANCE_SHARE,
): ReadingHint | undefined {
  const within = members
    .map((m) => ({
      m,
      d: Math.abs(kg - m.recentKg),
      tol: weightToleranceKg(m.recentKg, toleranceKg, toleranceShare),
    }))
    .filter((x) => x.d <= x.tol)
    .sort((a, b) => a.d - b.d);
  if (within.length === 0) return undefined;
  const candidates = within.slice(0, MAX_CANDIDATES).map((x) => x.m.member);
  if (within.length > 1) return { by: 'weight', member: null, confidence: 0, candidates };
  const only = within[0]!;
  const confidence = Math.round(proximityConfidence(kg, only.m.recentKg, only.tol) * 100) / 100;
  return { by: 'weight', member: only.m.member, confidence, candidates };
}
