import { isUrgentBloodPressure as isUrgent } from '@linkwell/firmware-protocol';
import {
  type BpBand,
  type BpSchemeId,
  type BpSetting,
  BUILT_IN_BP_SCHEMES,
  type BuiltInBpSchemeId,
} from './bp-schemes.js';
import { ClassifyError, DISCLAIMER, type Disclaimer, roundTo, type Source } from './common.js';
import { type CustomBpProgramme, customBands } from './custom-programme.js';
import { countOccasions, OCCASION_GAP_MS } from './occasions.js';

export interface BpReading {
  /** Time of the reading, ms since the epoch. */
  t: number;
  systolic: number;
  diastolic: number;
  /** Wrist-estimated or other cuffless reading; never classified. */
  cuffless?: boolean;
}

export type BpClassifyOptions =
  | { scheme: BuiltInBpSchemeId; setting: BpSetting }
  | { scheme: 'custom'; setting: BpSetting; programme: CustomBpProgramme };

export type BpCategory =
  | 'normal'
  | 'elevated'
  | 'stage_1'
  | 'stage_2'
  | 'non_elevated'
  | 'hypertension'
  | 'insufficient_data'
  | 'not_applicable';

export interface BpClassification {
  kind: 'blood_pressure';
  scheme: BpSchemeId;
  scheme_version: string;
  setting: BpSetting;
  /** A BpCategory for the built-in schemes; a custom programme's own code otherwise. */
  category: BpCategory | (string & {});
  label_en: string;
  label_zh: string;
  inputs: {
    readings_used: number;
    readings_cuffless_excluded: number;
    occasions: number;
    /** Mean of the cuffed readings in mmHg, to 0.1; this rounded value is the one classified. */
    mean_systolic: number | null;
    mean_diastolic: number | null;
    from: string | null;
    to: string | null;
  };
  thresholds: {
    bands: { code: string; systolic_at_least: number | null; diastolic_at_least: number | null }[];
    min_readings: number;
    min_occasions: number;
    occasion_gap_minutes: number;
  };
  source: Source;
  disclaimer: Disclaimer;
}

/** ACC/AHA 2017 Section 4 and Table 8: estimate BP from an average of ≥2 readings obtained on ≥2 occasions. */
export const MIN_READINGS = 2;
export const MIN_OCCASIONS = 2;

const NOT_CLASSIFIED = {
  insufficient_data: {
    label_en: 'Not enough readings: at least 2 readings on at least 2 occasions are needed',
    label_zh: '读数不足：需要至少 2 个不同时段的至少 2 次读数',
  },
  not_applicable: {
    label_en: 'Not classified: cuffless readings are not used for classification',
    label_zh: '不分类：无袖带（腕式估算）读数不用于分类',
  },
} as const;

/**
 * Classifies the mean of the cuffed readings under one scheme and setting. Cuffless readings are left out: the
 * 2025 AHA/ACC guideline (Section 3.1.4.1) recommends against cuffless devices for diagnosis or management.
 */
export function classifyBloodPressure(
  readings: readonly BpReading[],
  options: BpClassifyOptions,
): BpClassification {
  for (const r of readings) assertReading(r);
  const scheme = schemeOf(options);
  const cuffed = readings.filter((r) => r.cuffless !== true);
  const times = cuffed.map((r) => r.t);
  const occasions = countOccasions(times);
  const meanSystolic = cuffed.length === 0 ? null : roundTo(mean(cuffed.map((r) => r.systolic)), 1);
  const meanDiastolic = cuffed.length === 0 ? null : roundTo(mean(cuffed.map((r) => r.diastolic)), 1);
  const base = {
    kind: 'blood_pressure' as const,
    scheme: options.scheme,
    scheme_version: scheme.version,
    setting: options.setting,
    inputs: {
      readings_used: cuffed.length,
      readings_cuffless_excluded: readings.length - cuffed.length,
      occasions,
      mean_systolic: meanSystolic,
      mean_diastolic: meanDiastolic,
      from: times.length === 0 ? null : new Date(Math.min(...times)).toISOString(),
      to: times.length === 0 ? null : new Date(Math.max(...times)).toISOString(),
    },
    thresholds: {
      bands: scheme.bands.map(({ code, systolic_at_least, diastolic_at_least }) => ({
        code,
        systolic_at_least,
        diastolic_at_least,
      })),
      min_readings: MIN_READINGS,
      min_occasions: MIN_OCCASIONS,
      occasion_gap_minutes: OCCASION_GAP_MS / 60_000,
    },
    source: scheme.source,
    disclaimer: DISCLAIMER,
  };
  if (readings.length > 0 && cuffed.length === 0) {
    return { ...base, category: 'not_applicable', ...NOT_CLASSIFIED.not_applicable };
  }
  if (
    meanSystolic === null ||
    meanDiastolic === null ||
    cuffed.length < MIN_READINGS ||
    occasions < MIN_OCCASIONS
  ) {
    return { ...base, category: 'insufficient_data', ...NOT_CLASSIFIED.insufficient_data };
  }
  const band = bandFor(scheme.bands, meanSystolic, meanDiastolic);
  return { ...base, category: band.code, label_en: band.label_en, label_zh: band.label_zh };
}

/**
 * The band of one systolic/diastolic pair. Each component picks the highest band whose threshold it reaches
 * (half-open intervals: 129.9 is below 130), and the higher of the two wins: ACC/AHA 2017 Table 6 footnote,
 * "individuals with SBP and DBP in 2 categories should be designated to the higher BP category".
 */
export function bandFor(bands: readonly BpBand[], systolic: number, diastolic: number): BpBand {
  let index = 0;
  bands.forEach((band, i) => {
    const bySystolic = band.systolic_at_least !== null && systolic >= band.systolic_at_least;
    const byDiastolic = band.diastolic_at_least !== null && diastolic >= band.diastolic_at_least;
    if (bySystolic || byDiastolic) index = i;
  });
  const band = bands[index];
  if (!band) throw new ClassifyError('API_ERR_BAD_BP_PROGRAMME', 'a scheme needs at least one band');
  return band;
}

/**
 * The urgent-reading rule (systolic ≥180 and/or diastolic ≥120) is firmware-protocol's, shared with ingest,
 * which raises the events; here it first refuses an out-of-range value with this module's coded error.
 */
export function isUrgentBloodPressure(systolic: number, diastolic: number): boolean {
  assertPressure('systolic', systolic);
  assertPressure('diastolic', diastolic);
  return isUrgent(systolic, diastolic);
}

function schemeOf(options: BpClassifyOptions): { version: string; bands: readonly BpBand[]; source: Source } {
  if (options.scheme === 'custom') {
    const { programme } = options;
    return {
      version: programme.version,
      bands: customBands(programme),
      source: { citation: `Custom programme “${programme.name}”, version ${programme.version}` },
    };
  }
  const scheme = BUILT_IN_BP_SCHEMES[options.scheme];
  const setting = scheme.settings[options.setting];
  return {
    version: scheme.version,
    bands: setting.bands,
    source: { citation: setting.citation, url: scheme.url },
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function assertReading(r: BpReading): void {
  if (!Number.isFinite(r.t)) {
    throw new ClassifyError('API_ERR_BAD_MEASUREMENT', 'reading time is not a finite number', { t: r.t });
  }
  assertPressure('systolic', r.systolic);
  assertPressure('diastolic', r.diastolic);
}

// A NaN would compare false against every threshold and land silently in the lowest band.
function assertPressure(field: 'systolic' | 'diastolic', value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 400) {
    throw new ClassifyError('API_ERR_BAD_MEASUREMENT', `${field} must be 0–400 mmHg`, { field, value });
  }
}
