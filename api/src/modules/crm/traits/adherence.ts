/**
 * Measurement adherence (sensitivity `health`: it reveals that someone monitors a condition).
 * - BP adherence: days of the last 7 (ending on the run date) with at least two blood-pressure readings.
 *   Home BP monitoring protocols ask for two readings per occasion, morning and evening, on 7 days (Stergiou,
 *   G. S. et al., 2021 ESH practice guidelines for office and out-of-office BP measurement, J Hypertens
 *   39(7); kept in the 2023 ESH guidelines, J Hypertens 41(12)).
 * - Streak: consecutive days with at least one reading, ending on the run date, or the day before when the
 *   run date has none yet (a day in progress does not break a streak).
 * - Stage 2: any blood-pressure reading in the last 30 days that the trends classifier put at stage 2 or
 *   above under the person's own scheme (flag `bp_stage2` from the activity feed).
 */
import { within } from './days.js';

export const BP_METRIC = 'blood_pressure';
export const STAGE2_FLAG = 'bp_stage2';

export function bpAdherence7d(bpReadingsByDay: ReadonlyMap<number, number>, today: number): number {
  let n = 0;
  for (let d = today - 6; d <= today; d++) if ((bpReadingsByDay.get(d) ?? 0) >= 2) n++;
  return n;
}

export function streakDays(activeDays: ReadonlySet<number>, today: number): number {
  let d = activeDays.has(today) ? today : today - 1;
  let n = 0;
  while (activeDays.has(d)) {
    n++;
    d--;
  }
  return n;
}

export function hasStage2(
  flags: readonly { day: number; flag: string; count: number }[],
  today: number,
): boolean {
  return flags.some((f) => f.flag === STAGE2_FLAG && f.count > 0 && within(f.day, today, 30));
}
