/**
 * Engagement grade A–F, built like a retail bank's customer grades (points for the accounts a customer
 * holds actively, how often they use them and how recently), with devices for accounts. Points, 0–100:
 * - active devices (a reading in the last 30 days): 0 → 0, 1 → 15, 2 → 25, 3 or more → 35;
 * - sync frequency (measuring days in 30): ≥ 20 → 40, ≥ 12 → 30, ≥ 6 → 20, ≥ 2 → 10, 1 → 5, 0 → 0;
 * - recency (days since the last reading): ≤ 1 → 25, ≤ 7 → 20, ≤ 14 → 15, ≤ 30 → 10, ≤ 90 → 5, else 0.
 * Bands: A ≥ 85, B ≥ 70, C ≥ 55, D ≥ 40, E ≥ 20, F below (docs/crm.md "Engagement grade").
 */
export type Grade = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

export function devicePoints(activeDevices: number): number {
  if (activeDevices >= 3) return 35;
  if (activeDevices === 2) return 25;
  return activeDevices === 1 ? 15 : 0;
}

export function frequencyPoints(days30: number): number {
  if (days30 >= 20) return 40;
  if (days30 >= 12) return 30;
  if (days30 >= 6) return 20;
  if (days30 >= 2) return 10;
  return days30 === 1 ? 5 : 0;
}

export function recencyPoints(recency: number | null): number {
  if (recency === null) return 0;
  if (recency <= 1) return 25;
  if (recency <= 7) return 20;
  if (recency <= 14) return 15;
  if (recency <= 30) return 10;
  return recency <= 90 ? 5 : 0;
}

export const GRADE_BANDS: readonly (readonly [Grade, number])[] = [
  ['A', 85],
  ['B', 70],
  ['C', 55],
  ['D', 40],
  ['E', 20],
  ['F', 0],
];

export function gradeOf(points: number): Grade {
  return (GRADE_BANDS.find(([, min]) => points >= min) ?? ['F'])[0];
}

export function engagementGrade(activeDevices: number, days30: number, recency: number | null): Grade {
  return gradeOf(devicePoints(activeDevices) + frequencyPoints(days30) + recencyPoints(recency));
}
