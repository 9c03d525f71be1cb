import type { MetricName } from './metrics.js';

/**
 * What `GET /v1/trends/{metric}` serves: each trend metric is a panel of fields, and each field is fed by
 * one or more stored series (measurement.field). A heart-rate trend, for instance, hears the wristband's
 * `heart_rate.bpm` and the cuff's `blood_pressure.pulse` (docs/trends.md "Reconciliation").
 */
export type TrendKind = 'continuous' | 'spot';
/** The quantity a field's values are, for unit conversion (api units.ts). */
export type Dimension =
  | 'mass'
  | 'pressure'
  | 'temperature'
  | 'rate'
  | 'percent'
  | 'energy'
  | 'ratio'
  | 'length'
  | 'impedance';

export interface TrendSource {
  measurement: MetricName;
  field: string;
}

export interface TrendField {
  name: string;
  dimension: Dimension;
  /** Canonical UCUM unit as stored. */
  ucum: string;
  sources: readonly TrendSource[];
  /**
   * Two readings from different sources within `timeMs` whose values differ by at most this much are one
   * measurement seen twice (docs/trends.md cites the accuracy standard behind each figure).
   */
  duplicateWithin: number;
}

export interface TrendMetric {
  metric: string;
  /**
   * continuous: dense series; each window takes the highest-priority source that has data in it.
   * spot: a few readings a day; duplicates across sources are removed reading by reading.
   */
  kind: TrendKind;
  fields: readonly TrendField[];
  /** Fields compared when deciding whether two spot readings are duplicates. */
  duplicateKeys: readonly string[];
  duplicateTimeMs: number;
}

const src = (measurement: MetricName, field: string): TrendSource => ({ measurement, field });
const MIN = 60_000;

// Duplicate tolerances follow each device class's accuracy requirement, so two honest readings of one
// event match: BP mean difference within ±5 mmHg (ISO 81060-2:2018, validation criterion 1); heart rate
// ±10 % or ±5 bpm (IEC 60601-2-27, heart-rate meter accuracy); body temperature ±0.3 °C (ISO 80601-2-56,
// laboratory accuracy); SpO2 Arms ≤ 4 % (ISO 80601-2-61). Weight 0.5 kg and body composition 1 point are
// product choices with no standard behind them (docs/trends.md).
export const TREND_METRICS = {
  heart_rate: {
    metric: 'heart_rate',
    kind: 'continuous',
    fields: [
      {
        name: 'bpm',
        dimension: 'rate',
        ucum: '/min',
        sources: [src('heart_rate', 'bpm'), src('blood_pressure', 'pulse')],
        duplicateWithin: 5,
      },
    ],
    duplicateKeys: ['bpm'],
    duplicateTimeMs: 2 * MIN,
  },
  blood_pressure: {
    metric: 'blood_pressure',
    kind: 'spot',
    fields: [
      {
        name: 'systolic',
        dimension: 'pressure',
        ucum: 'mm[Hg]',
        sources: [src('blood_pressure', 'systolic')],
        duplicateWithin: 5,
      },
      {
        name: 'diastolic',
        dimension: 'pressure',
        ucum: 'mm[Hg]',
        sources: [src('blood_pressure', 'diastolic')],
        duplicateWithin: 5,
      },
      {
        name: 'mean_arterial',
        dimension: 'pressure',
        ucum: 'mm[Hg]',
        sources: [src('blood_pressure', 'mean_arterial')],
        duplicateWithin: 5,
      },
      {
        name: 'pulse',
        dimension: 'rate',
        ucum: '/min',
        sources: [src('blood_pressure', 'pulse')],
        duplicateWithin: 5,
      },
    ],
    duplicateKeys: ['systolic', 'diastolic'],
    duplicateTimeMs: 5 * MIN,
  },
  body_weight: {
    metric: 'body_weight',
    kind: 'spot',
    fields: [
      {
        name: 'weight',
        dimension: 'mass',
        ucum: 'kg',
        sources: [src('body_weight', 'weight'), src('body_composition', 'weight')],
        duplicateWithin: 0.5,
      },
    ],
    duplicateKeys: ['weight'],
    duplicateTimeMs: 10 * MIN,
  },
  body_composition: {
    metric: 'body_composition',
    kind: 'spot',
    fields: [
      ['fat_percent', 'percent', '%', 1],
      ['muscle_percent', 'percent', '%', 1],
      ['muscle_mass', 'mass', 'kg', 0.5],
      ['fat_free_mass', 'mass', 'kg', 0.5],
      ['soft_lean_mass', 'mass', 'kg', 0.5],
      ['water_mass', 'mass', 'kg', 0.5],
      ['basal_metabolism', 'energy', 'kJ', 100],
    ].map(([name, dimension, ucum, within]) => ({
      name: name as string,
      dimension: dimension as Dimension,
      ucum: ucum as string,
      sources: [src('body_composition', name as string)],
      duplicateWithin: within as number,
    })),
    duplicateKeys: ['fat_percent'],
    duplicateTimeMs: 10 * MIN,
  },
  spo2: {
    metric: 'spo2',
    kind: 'continuous',
    fields: [
      { name: 'spo2', dimension: 'percent', ucum: '%', sources: [src('spo2', 'spo2')], duplicateWithin: 4 },
    ],
    duplicateKeys: ['spo2'],
    duplicateTimeMs: 2 * MIN,
  },
  pulse_rate: {
    metric: 'pulse_rate',
    kind: 'spot',
    fields: [
      {
        name: 'pulse',
        dimension: 'rate',
        ucum: '/min',
        sources: [src('blood_pressure', 'pulse'), src('spo2', 'pulse')],
        duplicateWithin: 5,
      },
    ],
    duplicateKeys: ['pulse'],
    duplicateTimeMs: 2 * MIN,
  },
  body_temperature: {
    metric: 'body_temperature',
    kind: 'spot',
    fields: [
      {
        name: 'temperature',
        dimension: 'temperature',
        ucum: 'Cel',
        sources: [src('body_temperature', 'temperature')],
        duplicateWithin: 0.3,
      },
    ],
    duplicateKeys: ['temperature'],
    duplicateTimeMs: 5 * MIN,
  },
} as const satisfies Record<string, TrendMetric>;

export type TrendMetricName = keyof typeof TREND_METRICS;
export const TREND_METRIC_NAMES = Object.keys(TREND_METRICS) as TrendMetricName[];

export function trendMetric(name: string): TrendMetric | undefined {
  return Object.hasOwn(TREND_METRICS, name)
    ? (TREND_METRICS as Record<string, TrendMetric>)[name]
    : undefined;
}
