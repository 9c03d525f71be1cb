import {
  type DayRange,
  daysOf,
  groupByDay,
  invalidParameter,
  MINUTE_MS,
  type MinuteMean,
  minuteMeans,
  type SeriesPoint,
} from './series.js';

export const RESTING_METHODS = ['sustained-still', 'spot', 'device-reported'] as const;
export type RestingMethod = (typeof RESTING_METHODS)[number];
export type RestingMethodChoice = RestingMethod | 'auto';

/**
 * The shortest and longest still run, in minutes. Five minutes is the seated rest that precedes a resting
 * measurement in the ACC/AHA 2017 high blood pressure guideline (Whelton et al., Table 8, step 1: "have the
 * patient relax, sitting in a chair ... for >5 min"); a shorter run would not be rest by that rule.
 */
export const STILL_WINDOW = Object.freeze({ min: 5, max: 30, default: 10 });
/**
 * A run is "still" when its minute means stay within this spread. A heuristic of ours, not a standard: we
 * have no accelerometer data, so a flat heart rate stands in for a body at rest.
 */
export const STILL_SPREAD_BPM = 10;

export interface RestingHeartRateInput {
  /** Continuous heart rate (heart_rate.bpm), any number of readings per minute. */
  heartRate?: readonly SeriesPoint[];
  /** Spot pulse readings from a cuff or scale (e.g. blood_pressure.pulse). */
  spot?: readonly SeriesPoint[];
  /** The device's own resting value (a `resting_bpm` series). */
  deviceResting?: readonly SeriesPoint[];
}

export interface RestingHeartRateOptions {
  method?: RestingMethodChoice;
  /** Run length for sustained-still, whole minutes in [5, 30]. */
  windowMinutes?: number;
}

export type RestingInputs =
  | {
      method: 'sustained-still';
      windowMinutes: number;
      stillSpreadBpm: number;
      /** The chosen run: [startMs, endMs). */
      startMs: number;
      endMs: number;
      /** max − min of the run's minute means. */
      spreadBpm: number;
      /** How many still runs the day had. */
      stillRuns: number;
    }
  | { method: 'spot' | 'device-reported'; t: number; source: string | null; readings: number };

export interface RestingHeartRateDay {
  date: string;
  zone: string;
  bpm: number;
  method: RestingMethod;
  inputs: RestingInputs;
}

export function parseRestingMethod(
  text: string | undefined,
  field = 'querystring.method',
): RestingMethodChoice {
  if (text === undefined) return 'auto';
  if (text === 'auto' || (RESTING_METHODS as readonly string[]).includes(text))
    return text as RestingMethodChoice;
  throw invalidParameter(field, `expected one of auto, ${RESTING_METHODS.join(', ')}`, { value: text });
}

function checkWindow(w: number): number {
  if (!Number.isInteger(w) || w < STILL_WINDOW.min || w > STILL_WINDOW.max) {
    throw invalidParameter(
      'querystring.window_minutes',
      `expected a whole number of minutes from ${STILL_WINDOW.min} to ${STILL_WINDOW.max}`,
      { value: w },
    );
  }
  return w;
}

/** The still run of `w` consecutive minutes with the lowest mean; the earliest wins a tie. */
function sustainedStill(
  minutes: readonly MinuteMean[],
  w: number,
): { bpm: number; inputs: RestingInputs } | null {
  let best: { mean: number; start: number; spread: number } | null = null;
  let stillRuns = 0;
  for (let i = 0; i + w <= minutes.length; i++) {
    const first = minutes[i]!;
    // Consecutive indices are consecutive minutes only when the span is exactly w - 1 minutes.
    if (minutes[i + w - 1]!.t - first.t !== (w - 1) * MINUTE_MS) continue;
    let sum = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let j = i; j < i + w; j++) {
      const v = minutes[j]!.v;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo > STILL_SPREAD_BPM) continue;
    stillRuns += 1;
    const mean = sum / w;
    if (best === null || mean < best.mean) best = { mean, start: first.t, spread: hi - lo };
  }
  if (best === null) return null;
  return {
    bpm: best.mean,
    inputs: {
      method: 'sustained-still',
      windowMinutes: w,
      stillSpreadBpm: STILL_SPREAD_BPM,
      startMs: best.start,
      endMs: best.start + w * MINUTE_MS,
      spreadBpm: best.spread,
      stillRuns,
    },
  };
}

function lowestSpot(points: readonly SeriesPoint[]): { bpm: number; inputs: RestingInputs } | null {
  let best: SeriesPoint | null = null;
  for (const p of points) if (Number.isFinite(p.v) && (best === null || p.v < best.v)) best = p;
  if (best === null) return null;
  return {
    bpm: best.v,
    inputs: { method: 'spot', t: best.t, source: best.source ?? null, readings: points.length },
  };
}

function lastReported(points: readonly SeriesPoint[]): { bpm: number; inputs: RestingInputs } | null {
  let last: SeriesPoint | null = null;
  for (const p of points) if (Number.isFinite(p.v) && (last === null || p.t >= last.t)) last = p;
  if (last === null) return null;
  return {
    bpm: last.v,
    inputs: { method: 'device-reported', t: last.t, source: last.source ?? null, readings: points.length },
  };
}

/** `auto` trusts the device first (it sees motion we do not), then our still-run estimate, then spot checks. */
const AUTO_ORDER: readonly RestingMethod[] = ['device-reported', 'sustained-still', 'spot'];

/**
 * Resting heart rate per civil day. Days where the chosen method has no value are left out; `auto` chooses
 * per day, so one series can mix methods (each day says which it used).
 */
export function restingHeartRate(
  input: RestingHeartRateInput,
  range: DayRange,
  options: RestingHeartRateOptions = {},
): RestingHeartRateDay[] {
  const method = options.method ?? 'auto';
  const w = checkWindow(options.windowMinutes ?? STILL_WINDOW.default);
  const days = daysOf(range);
  const minutesByDay = groupByDay(minuteMeans(input.heartRate ?? []), days);
  const spotByDay = groupByDay(input.spot ?? [], days);
  const deviceByDay = groupByDay(input.deviceResting ?? [], days);
  const order = method === 'auto' ? AUTO_ORDER : [method];
  const out: RestingHeartRateDay[] = [];
  days.forEach((day, i) => {
    for (const m of order) {
      const found =
        m === 'sustained-still'
          ? sustainedStill(minutesByDay[i]!, w)
          : m === 'spot'
            ? lowestSpot(spotByDay[i]!)
            : lastReported(deviceByDay[i]!);
      if (found) {
        out.push({ date: day.date, zone: day.zone, bpm: found.bpm, method: m, inputs: found.inputs });
        return;
      }
    }
  });
  return out;
}
