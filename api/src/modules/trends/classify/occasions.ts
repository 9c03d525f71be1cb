/**
 * Product definition of a measuring occasion (a session): readings less than 30 minutes apart belong to the
 * same occasion. ACC/AHA 2017 (Section 4, Table 8) asks for ≥2 readings on ≥2 occasions but does not define an
 * occasion in minutes; 30 minutes separates a morning session of two or three readings one minute apart from
 * the evening session, which is the home routine the guidelines describe.
 */
export const OCCASION_GAP_MS = 30 * 60_000;

/** Number of occasions among the time stamps (ms); a gap of 30 minutes or more starts a new one. */
export function countOccasions(times: readonly number[]): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  let occasions = 1;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]! - sorted[i - 1]! >= OCCASION_GAP_MS) occasions++;
  }
  return occasions;
}
