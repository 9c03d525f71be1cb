/**
 * Churn risk from the person's own rhythm, not a population norm: someone who weighs in weekly is not late
 * after 5 days, someone who measures daily is. The usual gap is the median gap between consecutive
 * measuring days (at least 3 measuring days, else there is no rhythm yet); the silence is the days from the
 * last one to the run date. A habit (a device's own measuring days) is broken when its silence exceeds
 * BREAK_RATIO × its usual gap. Risk = clamp((silence ÷ gap − 1) ÷ 3, 0, 1): 0 within the usual gap, 1 at
 * four gaps. Reasons:
 * - `silent_device`: every broken habit's device has gone quiet itself (low battery, or its gateway is
 *   offline), so the data stopped, not necessarily the person; risk 0;
 * - `rhythm_break`: the person still measures with another device, but one habit stopped (e.g. weekly
 *   weigh-ins); risk is half the broken habit's, since the person is still here;
 * - `lapsed`: the person's overall rhythm broke, with devices that are not quiet;
 * - `none`: no habit broken (risk may still be above 0 when the person is a little late).
 * Early-warning by deviation from one's own baseline follows the "abnormal behaviour" churn signals of the CRM
 * literature (e.g. Buckinx, W. & Van den Poel, D., European Journal of Operational Research 164(1), 2005:
 * inter-purchase time relative to the customer's own mean is among the strongest defection predictors).
 */
export const BREAK_RATIO = 2;

export type ChurnReason = 'none' | 'rhythm_break' | 'lapsed' | 'silent_device';

export interface ChurnInput {
  today: number;
  /** Measuring days per device (any order, duplicates ignored). */
  daysByDevice: ReadonlyMap<string, readonly number[]>;
  /** Devices whose battery or gateway went quiet. */
  quietDevices: ReadonlySet<string>;
}

export interface Churn {
  risk: number;
  reason: ChurnReason;
}

/** Median gap between consecutive distinct days; null with fewer than 3 days. */
export function usualGap(days: readonly number[]): number | null {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length < 3) return null;
  const gaps = sorted.slice(1).map((d, i) => d - sorted[i]!);
  gaps.sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

export const riskOfRatio = (ratio: number): number =>
  Math.round(Math.min(1, Math.max(0, (ratio - 1) / 3)) * 100) / 100;

interface Rhythm {
  gap: number;
  silence: number;
  ratio: number;
}

function rhythmOf(days: readonly number[], today: number): Rhythm | null {
  const gap = usualGap(days);
  if (gap === null) return null;
  const silence = today - Math.max(...days);
  return { gap, silence, ratio: silence / gap };
}

export function churnOf(i: ChurnInput): Churn {
  const all = [...i.daysByDevice.values()].flat();
  const person = rhythmOf(all, i.today);
  const stopped = person !== null && person.ratio > BREAK_RATIO;
  const broken = [...i.daysByDevice]
    .map(([device, days]) => ({ device, rhythm: rhythmOf(days, i.today) }))
    .filter((h) => h.rhythm !== null && h.rhythm.ratio > BREAK_RATIO);
  if (broken.length === 0 && !stopped)
    return { risk: person ? riskOfRatio(person.ratio) : 0, reason: 'none' };
  // The devices that fell silent: the broken habits, or, when the person stopped without a per-device
  // rhythm, every device that had readings.
  const silent = broken.length > 0 ? broken.map((h) => h.device) : [...i.daysByDevice.keys()];
  if (silent.every((d) => i.quietDevices.has(d))) return { risk: 0, reason: 'silent_device' };
  if (!stopped) {
    const worst = Math.max(
      ...broken.filter((h) => !i.quietDevices.has(h.device)).map((h) => h.rhythm?.ratio ?? 0),
    );
    return { risk: Math.round(riskOfRatio(worst) * 50) / 100, reason: 'rhythm_break' };
  }
  return { risk: riskOfRatio(person.ratio), reason: 'lapsed' };
}
