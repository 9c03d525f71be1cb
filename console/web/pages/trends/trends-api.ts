// The trends API's JSON bodies as the trend pages read them (GET /v1/trends/…, /v1/classifications/…,
// /v1/health-profile). Snake case, as the API sends them. Fields the page does not need are left out.

export interface FieldSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  first: number;
  last: number;
  p10: number;
  median: number;
  p90: number;
}

export interface TrendWindow {
  start: string;
  end: string;
  date?: string;
  time_zone?: string;
  hours: number;
  empty: boolean;
  count: number;
  coverage: number;
  winning_source: string | null;
  sources: string[];
  suppressed_sources: string[];
  /** null for a field with no reading in the window: a gap, never a zero. */
  values: Record<string, FieldSummary | null>;
}

export interface Trend {
  metric: string;
  kind: 'continuous' | 'spot';
  account: string;
  from: string;
  to: string;
  window: string;
  units: Record<string, { ucum: string; display: string }>;
  source_priority: string[];
  windows: TrendWindow[];
}

export interface RestingDay {
  date: string;
  zone?: string;
  bpm: number | null;
  method: string;
}

export interface SmoothedWeight {
  smoother: string;
  unit: string;
  points: { t: number; raw: number; smoothed: number }[];
  weekly_rate: number | null;
}

export interface Disclaimer {
  en: string;
  'zh-CN': string;
}

/**
 * One BP band as the classification route may send it: ranges (`systolic_from`/`_to`, upper bound
 * exclusive) or, as the classifier's `thresholds.bands` hold them, the value at which each component
 * alone enters the band (`systolic_at_least`, null when that component alone never does).
 */
export interface BpBandBody {
  code: string;
  label_en?: string;
  label_zh?: string;
  systolic_from?: number | null;
  systolic_to?: number | null;
  diastolic_from?: number | null;
  diastolic_to?: number | null;
  systolic_at_least?: number | null;
  diastolic_at_least?: number | null;
}

export interface BpClassificationBody {
  scheme: string;
  scheme_version: string;
  setting: string;
  category: string;
  label_en: string;
  label_zh: string;
  inputs: Record<string, unknown>;
  thresholds?: { bands?: BpBandBody[] } & Record<string, unknown>;
  bands?: BpBandBody[];
  disclaimer: Disclaimer;
}

/** GET /v1/classifications/schemes: every built-in scheme with its bands named in both languages. */
export interface SchemesBody {
  blood_pressure: {
    id: string;
    version: string;
    settings: Record<string, { bands: { code: string; label_en: string; label_zh: string }[] } | undefined>;
  }[];
}

export interface BmiBandBody {
  code: string;
  label_en?: string;
  label_zh?: string;
  from?: number | null;
  to?: number | null;
  at_least?: number;
}

export interface BmiClassificationBody {
  scheme?: string;
  scheme_version?: string;
  /** The BMI and what it was computed from; `inputs` in the classifier's answer. */
  bmi?: number | null;
  weight_kg?: number | null;
  height_m?: number | null;
  inputs?: { bmi?: number; weight_kg?: number; height_m?: number };
  category: string;
  label_en: string;
  label_zh: string;
  bands?: BmiBandBody[];
  thresholds?: { bands?: BmiBandBody[] } & Record<string, unknown>;
  disclaimer: Disclaimer;
}

export interface HealthProfile {
  time_zone?: string | null;
  birth_date?: string | null;
  height_m?: number | null;
  units?: { mass?: string; pressure?: string; temperature?: string } | null;
  bp_scheme?: string | null;
  bp_setting?: string | null;
  bmi_scheme?: string | null;
}

export interface SourcesBody {
  metric: string;
  account: string;
  priority: string[];
  sources: { id: string; name?: string | null }[];
}

/** A query string from the pairs that have a value, in a fixed order so equal queries are equal URLs. */
export function queryOf(pairs: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(pairs))
    if (value !== undefined && value !== '') q.set(key, value);
  return q.toString();
}
