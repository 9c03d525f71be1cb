import type { Dimension } from '@linkwell/firmware-protocol';
import { invalidParameter } from './derived/series.js';

export type MassUnit = 'kg' | 'lb' | 'jin';
export type PressureUnit = 'mmHg' | 'kPa';
export type TemperatureUnit = 'C' | 'F';

/** Display units per convertible dimension; a missing entry means the canonical unit (kg, mmHg, °C). */
export interface UnitPrefs {
  mass?: MassUnit;
  pressure?: PressureUnit;
  temperature?: TemperatureUnit;
}

type Convertible = keyof UnitPrefs;

interface UnitDef {
  dimension: Convertible;
  ucum: string;
  display: string;
  /** Canonical → this unit. */
  from: (canonical: number) => number;
  /** This unit → canonical. */
  to: (value: number) => number;
  /** A canonical difference → the same difference in this unit (the affine map without its offset). */
  delta: (canonical: number) => number;
}

const same = (v: number) => v;

// 1 lb = 0.45359237 kg exactly (international yard and pound agreement, 1959); 1 jin (市斤) = 500 g exactly
// (China's 市制 market units); 1 mmHg = 0.133322387415 kPa (conventional mmHg: 13.5951 g/cm³ of mercury
// under standard gravity 9.80665 m/s²); °F = °C × 9/5 + 32. The same factors as firmware-protocol's
// toCanonical, which converts device units the other way. Each factor is applied as defined (÷ 0.45359237,
// never × a rounded reciprocal), so exact values such as 1 lb come back exactly.
const UNITS = {
  kg: { dimension: 'mass', ucum: 'kg', display: 'kg', from: same, to: same, delta: same },
  lb: {
    dimension: 'mass',
    ucum: '[lb_av]',
    display: 'lb',
    from: (kg) => kg / 0.45359237,
    to: (lb) => lb * 0.45359237,
    delta: (kg) => kg / 0.45359237,
  },
  // UCUM has no code for the jin, so it is an annotation, as in the device catalog.
  jin: {
    dimension: 'mass',
    ucum: '{jin}',
    display: 'jin',
    from: (kg) => kg * 2,
    to: (j) => j / 2,
    delta: (kg) => kg * 2,
  },
  mmHg: { dimension: 'pressure', ucum: 'mm[Hg]', display: 'mmHg', from: same, to: same, delta: same },
  kPa: {
    dimension: 'pressure',
    ucum: 'kPa',
    display: 'kPa',
    from: (mmHg) => mmHg * 0.133322387415,
    to: (kPa) => kPa / 0.133322387415,
    delta: (mmHg) => mmHg * 0.133322387415,
  },
  C: { dimension: 'temperature', ucum: 'Cel', display: '°C', from: same, to: same, delta: same },
  F: {
    dimension: 'temperature',
    ucum: '[degF]',
    display: '°F',
    from: (c) => (c * 9) / 5 + 32,
    to: (f) => ((f - 32) * 5) / 9,
    delta: (c) => (c * 9) / 5,
  },
} as const satisfies Record<string, UnitDef>;

type UnitId = keyof typeof UNITS;

const CANONICAL: Record<Convertible, UnitId> = { mass: 'kg', pressure: 'mmHg', temperature: 'C' };

/**
 * Labels of the dimensions that never convert, matching the canonical UCUM units of the trend catalog
 * (a catalog test keeps them in step).
 */
const FIXED_LABELS: Record<Exclude<Dimension, Convertible>, { ucum: string; display: string }> = {
  rate: { ucum: '/min', display: 'bpm' },
  percent: { ucum: '%', display: '%' },
  energy: { ucum: 'kJ', display: 'kJ' },
  ratio: { ucum: '1', display: '' },
  length: { ucum: 'm', display: 'm' },
  impedance: { ucum: 'Ohm', display: 'Ω' },
};

/** Accepted spellings (matched case-insensitively): the unit ids and their UCUM codes. */
const ALIASES = new Map<string, UnitId>(
  (Object.entries(UNITS) as [UnitId, UnitDef][]).flatMap(([id, def]) => [
    [id.toLowerCase(), id],
    [def.ucum.toLowerCase(), id],
  ]),
);

function isConvertible(d: Dimension): d is Convertible {
  return d === 'mass' || d === 'pressure' || d === 'temperature';
}

function defOf(dimension: Convertible, prefs: UnitPrefs): UnitDef {
  return UNITS[prefs[dimension] ?? CANONICAL[dimension]];
}

/**
 * Parses a `units` query such as `lb,kPa,F` (ids or UCUM codes, any case, at most one per dimension).
 * Empty or absent text means no preference. Throws API_ERR_VALIDATION naming the unknown or conflicting
 * unit. Merge with a person's saved preferences as `{ ...person, ...parseUnitPrefs(q) }`.
 */
export function parseUnitPrefs(text: string | undefined, field = 'querystring.units'): UnitPrefs {
  const prefs: UnitPrefs = {};
  if (text === undefined || text.trim() === '') return prefs;
  for (const raw of text.split(',')) {
    const token = raw.trim();
    const id = ALIASES.get(token.toLowerCase());
    if (id === undefined) {
      throw invalidParameter(field, `unknown unit "${token}"; expected kg, lb, jin, mmHg, kPa, C or F`, {
        unit: token,
      });
    }
    const def: UnitDef = UNITS[id];
    const already = prefs[def.dimension];
    if (already !== undefined && already !== id) {
      throw invalidParameter(field, `conflicting ${def.dimension} units ${already} and ${id}`, {
        dimension: def.dimension,
        units: [already, id],
      });
    }
    (prefs as Record<Convertible, UnitId>)[def.dimension] = id;
  }
  return prefs;
}

/**
 * Canonical → preferred unit, unrounded. Affine, so it suits a value, min, max, mean or percentile; never a
 * count, and never a difference or spread (use convertDelta). Non-convertible dimensions pass through.
 */
export function convert(value: number, dimension: Dimension, prefs: UnitPrefs): number {
  if (!isConvertible(dimension)) return value;
  return defOf(dimension, prefs).from(value);
}

/** Preferred → canonical unit, the inverse of convert (e.g. a weight a person typed in lb). */
export function toCanonicalValue(value: number, dimension: Dimension, prefs: UnitPrefs): number {
  if (!isConvertible(dimension)) return value;
  return defOf(dimension, prefs).to(value);
}

/**
 * A difference between two values (a weekly weight change, a standard deviation): scaled without the
 * offset, so a 1 °C rise is 1.8 °F, not 33.8 °F.
 */
export function convertDelta(delta: number, dimension: Dimension, prefs: UnitPrefs): number {
  return isConvertible(dimension) ? defOf(dimension, prefs).delta(delta) : delta;
}

export function unitLabel(dimension: Dimension, prefs: UnitPrefs): { ucum: string; display: string } {
  if (!isConvertible(dimension)) return { ...FIXED_LABELS[dimension] };
  const def = defOf(dimension, prefs);
  return { ucum: def.ucum, display: def.display };
}
