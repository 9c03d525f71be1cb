import { METRICS, type MetricName } from './metrics.js';

/**
 * The InfluxDB layout, written down once (docs/trends.md "Storage contract"). Ingest writes through it, the
 * API and the benchmarks read through it, so a renamed tag or field cannot drift between them.
 *
 * Raw readings: one measurement per catalog metric (its `metric` name), tags `account` and `device`, one
 * float field per catalog field, plus the meta fields below. Rollups: one measurement per rolled-up
 * measurement and resolution, with per-field statistics (rollup.ts). The journal: one point per
 * (account, measurement, hour) touched by a write, so the rollup worker knows what to recompute.
 */
export const STORAGE_TAGS = Object.freeze({ account: 'account', device: 'device' });

/** Fields ingest writes beside the values: how the reading was attributed, its quality flags and UDS slot. */
export const META_FIELDS = Object.freeze({
  attrMethod: 'attr_method',
  attrConfidence: 'attr_confidence',
  attrRule: 'attr_rule',
  quality: 'quality',
  slot: 'slot',
});

const META = new Set<string>(Object.values(META_FIELDS));

/** True for a field that carries a measured value (not attribution, quality or slot). */
export function isValueField(name: string): boolean {
  return !META.has(name);
}

export interface MeasurementLayout {
  measurement: string;
  tags: readonly string[];
  valueFields: readonly string[];
}

/** The raw measurement of a catalog metric. */
export function measurementLayout(metric: MetricName): MeasurementLayout {
  return {
    measurement: METRICS[metric].metric,
    tags: [STORAGE_TAGS.account, STORAGE_TAGS.device],
    valueFields: Object.keys(METRICS[metric].fields),
  };
}

/** Every raw measurement: reading queries list them instead of a match-all regex, which would find rollups too. */
export const RAW_MEASUREMENTS: readonly string[] = Object.freeze(Object.values(METRICS).map((m) => m.metric));

/**
 * Rollup resolutions. `1h` is fixed UTC hours. `1d` is the civil day of the account in the time zone in
 * effect then (tag `tz`), so a year of daily windows reads 365 rows instead of 8,760.
 */
export type RollupResolution = '1h' | '1d';
export const ROLLUP_RESOLUTIONS: readonly RollupResolution[] = ['1h', '1d'];
export const HOUR_MS = 3_600_000;

/**
 * Measurements with dense, continuous data (one reading a minute or more), and the fields of each that are
 * rolled up. Spot measurements (a few readings a day) are read raw: a year of them is under 2,000 points.
 */
export const ROLLED_UP: Readonly<Partial<Record<MetricName, readonly string[]>>> = Object.freeze({
  heart_rate: ['bpm'],
  spo2: ['spo2', 'pulse'],
});

export function rollupMeasurement(measurement: string, resolution: RollupResolution): string {
  return `${measurement}_rollup_${resolution}`;
}

/** Tag of a `1d` rollup row: the IANA zone whose civil day the row covers. */
export const ROLLUP_TZ_TAG = 'tz';

/** The statistics a rollup row holds per field: `<field>__<stat>`. */
export const ROLLUP_STATS = [
  'count',
  'sum',
  'min',
  'max',
  'first',
  'last',
  'first_t',
  'last_t',
  'p10',
  'median',
  'p90',
  'hist',
  'minutes',
] as const;
export type RollupStat = (typeof ROLLUP_STATS)[number];

export function rollupField(field: string, stat: RollupStat): string {
  return `${field}__${stat}`;
}

/**
 * The rollup journal: written in the same request as the raw points it describes, one point per
 * (account, measurement, hour) touched; `node` keeps two ingest nodes' points apart (docs/trends.md).
 */
export const ROLLUP_JOURNAL = Object.freeze({
  measurement: 'rollup_journal',
  tags: { account: 'account', measurement: 'm', node: 'node' },
  /** Integer field: the UTC hour (ms since the epoch) that needs recomputing. */
  hourField: 'hour',
});
