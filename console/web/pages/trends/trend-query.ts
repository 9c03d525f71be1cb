import { RANGES, type RangeKey, WINDOWS, type WindowKey } from './chart-data.js';
import { queryOf } from './trends-api.js';

export const METRICS = [
  'blood_pressure',
  'body_weight',
  'heart_rate',
  'body_composition',
  'spo2',
  'pulse_rate',
  'body_temperature',
] as const;
export type TrendMetricName = (typeof METRICS)[number];

/** What the page is showing, all of it in the address so a reload or a shared link shows the same. */
export interface TrendQuery {
  readonly metric: TrendMetricName;
  /** The member whose data is shown; '' for the signed-in person. */
  readonly account: string;
  readonly range: RangeKey;
  readonly window: WindowKey;
  /** Display units for this view, e.g. `lb,kPa`; '' for the person's saved units. */
  readonly units: string;
  readonly smoother: string;
  readonly bpScheme: string;
  readonly bpSetting: string;
  readonly bmiScheme: string;
}

const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
  value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;

export const SMOOTHERS = ['ema-10', 'ema-tau-7d', 'holt'] as const;
export const BP_SCHEMES = ['acc-aha-2017', 'acc-aha-2025', 'esc-2024', 'custom'] as const;
export const BP_SETTINGS = ['home', 'office'] as const;
export const BMI_SCHEMES = ['who', 'who-asian', 'china'] as const;

/** Reads the page's query; unknown values fall back to the defaults rather than reach the API. */
export function readQuery(query: URLSearchParams): TrendQuery {
  const range = pick(query.get('range'), Object.keys(RANGES) as RangeKey[], '30d');
  return {
    metric: pick(query.get('metric'), METRICS, 'blood_pressure'),
    account: query.get('account') ?? '',
    range,
    // A day is best read by the hour; longer periods by the local day.
    window: pick(query.get('window'), WINDOWS, range === '1d' ? 'PT1H' : 'daily'),
    units: query.get('units') ?? '',
    smoother: pick(query.get('smoother'), SMOOTHERS, 'ema-tau-7d'),
    bpScheme: query.get('bp_scheme') ?? '',
    bpSetting: query.get('bp_setting') ?? '',
    bmiScheme: query.get('bmi_scheme') ?? '',
  };
}

export function writeQuery(q: TrendQuery): string {
  return queryOf({
    metric: q.metric,
    account: q.account,
    range: q.range,
    window: q.window,
    units: q.units,
    smoother: q.smoother === 'ema-tau-7d' ? undefined : q.smoother,
    bp_scheme: q.bpScheme,
    bp_setting: q.bpSetting,
    bmi_scheme: q.bmiScheme,
  });
}

export interface Span {
  readonly from: string;
  readonly to: string;
}

const HOUR = 3_600_000;

/**
 * The period ending at the next full hour after `now`, so hourly windows fall on the hour and the same
 * page asks the same question until the hour turns.
 */
export function spanOf(range: RangeKey, now: number): Span {
  const to = Math.ceil(now / HOUR) * HOUR;
  return {
    from: new Date(to - RANGES[range] * 24 * HOUR).toISOString(),
    to: new Date(to).toISOString(),
  };
}

/** GET /v1/trends/{metric} for the view. */
export function trendUrl(q: TrendQuery, span: Span): string {
  return `/v1/trends/${encodeURIComponent(q.metric)}?${queryOf({
    from: span.from,
    to: span.to,
    window: q.window,
    account: q.account,
    units: q.units,
  })}`;
}
