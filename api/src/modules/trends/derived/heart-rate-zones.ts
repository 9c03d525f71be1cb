import {
  type DayRange,
  daysOf,
  groupByDay,
  invalidParameter,
  minuteMeans,
  type SeriesPoint,
} from './series.js';

export type ZoneMethod = 'pct-hrmax' | 'karvonen';
export type HrMaxFormula = 'fox' | 'tanaka';

/**
 * Age-predicted maximal heart rate. fox: 220 − age (Fox, Naughton & Haskell 1971, "Physical activity and
 * the prevention of coronary heart disease", Ann Clin Res 3:404-432). tanaka: 208 − 0.7 × age (Tanaka,
 * Monahan & Seals, "Age-predicted maximal heart rate revisited", JACC 2001;37:153-156), derived from
 * healthy adults aged 18-81.
 */
export const HR_MAX_FORMULAS: Record<HrMaxFormula, (age: number) => number> = {
  fox: (age) => 220 - age,
  tanaka: (age) => 208 - (7 * age) / 10,
};

/**
 * Five 10-point bands from 50 to 100 %. A widespread training convention (the five-zone scheme of
 * heart-rate-monitor training), not a clinical guideline: ACSM's intensity table (Garber et al. 2011,
 * MSSE 43:1334-1359, Table 4) cuts at other points (e.g. moderate = 64-76 % HRmax).
 */
export const ZONE_PERCENTS = [
  [50, 60],
  [60, 70],
  [70, 80],
  [80, 90],
  [90, 100],
] as const;

export interface ZoneBound {
  zone: 1 | 2 | 3 | 4 | 5;
  lowPct: number;
  highPct: number;
  /** Inclusive lower bound, bpm (unrounded). */
  lowBpm: number;
  /** Exclusive upper bound, bpm; zone 5 also takes anything above it (HRmax is only predicted). */
  highBpm: number;
}

export interface ZoneSettings {
  method: ZoneMethod;
  hrMax: HrMaxFormula;
  age: number;
  /** Required by karvonen: the resting heart rate, bpm. */
  restingBpm?: number;
}

export interface HeartRateZones {
  method: ZoneMethod;
  hrMax: { formula: HrMaxFormula; bpm: number };
  restingBpm: number | null;
  zones: ZoneBound[];
}

export type ZoneKey = 'below' | 'z1' | 'z2' | 'z3' | 'z4' | 'z5';

export interface ZoneMinutesDay {
  date: string;
  zone: string;
  minutes: Record<ZoneKey, number>;
}

/**
 * Zone bounds in bpm. pct-hrmax: pct × HRmax. karvonen: rest + pct × (HRmax − rest), the heart-rate-reserve
 * method of Karvonen, Kentala & Mustala 1957 ("The effects of training on heart rate; a longitudinal
 * study", Ann Med Exp Biol Fenn 35:307-315).
 */
export function heartRateZones(settings: ZoneSettings): HeartRateZones {
  const { method, hrMax: formula, age } = settings;
  if (!Number.isFinite(age) || age < 0 || age > 130) {
    throw invalidParameter('age', 'expected an age in years from 0 to 130', { value: age });
  }
  const max = HR_MAX_FORMULAS[formula](age);
  let rest = 0;
  if (method === 'karvonen') {
    const r = settings.restingBpm;
    if (r === undefined || !Number.isFinite(r) || r <= 0 || r >= max) {
      throw invalidParameter(
        'resting_bpm',
        `karvonen needs a resting heart rate above 0 and below HRmax ${max}`,
        {
          value: r ?? null,
        },
      );
    }
    rest = r;
  }
  // Multiply before dividing: (70 / 100) × 180 is 125.99999999999999 in binary floating point, which would
  // put a 126-bpm minute on the wrong side of a bound; 70 × 180 / 100 is exactly 126.
  const at = (pct: number) => rest + (pct * (max - rest)) / 100;
  const zones = ZONE_PERCENTS.map(([lowPct, highPct], i) => ({
    zone: (i + 1) as ZoneBound['zone'],
    lowPct,
    highPct,
    lowBpm: at(lowPct),
    highBpm: at(highPct),
  }));
  return {
    method,
    hrMax: { formula, bpm: max },
    restingBpm: method === 'karvonen' ? rest : null,
    zones,
  };
}

/** The zone of one heart rate: lower bounds inclusive, zone 5 open above. */
export function zoneOf(bpm: number, zones: readonly ZoneBound[]): ZoneKey {
  for (let i = zones.length - 1; i >= 0; i--) {
    if (bpm >= zones[i]!.lowBpm) return `z${zones[i]!.zone}`;
  }
  return 'below';
}

/**
 * Minutes spent in each zone per civil day, every day of the range (zeros included). A minute with several
 * readings counts once, at their mean; a minute without readings counts nowhere.
 */
export function zoneMinutesPerDay(
  heartRate: readonly SeriesPoint[],
  range: DayRange,
  zones: HeartRateZones,
): ZoneMinutesDay[] {
  const days = daysOf(range);
  const byDay = groupByDay(minuteMeans(heartRate), days);
  return days.map((day, i) => {
    const minutes: Record<ZoneKey, number> = { below: 0, z1: 0, z2: 0, z3: 0, z4: 0, z5: 0 };
    for (const m of byDay[i]!) minutes[zoneOf(m.v, zones.zones)] += 1;
    return { date: day.date, zone: day.zone, minutes };
  });
}
