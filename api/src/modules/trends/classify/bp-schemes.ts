/**
 * Built-in blood-pressure schemes as data. A band is entered when the mean systolic or the mean diastolic
 * reaches its threshold; the higher band wins (see `bandIndexFor` in blood-pressure.ts). A null threshold means
 * that component alone never enters the band: ACC/AHA "elevated" is 120–129 systolic *and* <80 diastolic.
 * docs/classifiers.md gives every number with its table and says which ones were checked against the text.
 */

export type BpSetting = 'office' | 'home';
export type BuiltInBpSchemeId = 'acc-aha-2017' | 'acc-aha-2025' | 'esc-2024';
export type BpSchemeId = BuiltInBpSchemeId | 'custom';

export interface BpBand {
  code: string;
  label_en: string;
  label_zh: string;
  /** Lowest mean systolic (mmHg) that alone places the mean in this band; null: systolic alone never does. */
  systolic_at_least: number | null;
  /** Lowest mean diastolic (mmHg) that alone places the mean in this band; null: diastolic alone never does. */
  diastolic_at_least: number | null;
}

export interface BpSchemeSetting {
  /** Ascending; the first band starts at 0/0 so every mean has a band. */
  bands: readonly BpBand[];
  citation: string;
}

export interface BuiltInBpScheme {
  id: BuiltInBpSchemeId;
  version: string;
  citation: string;
  url: string;
  settings: Readonly<Record<BpSetting, BpSchemeSetting>>;
}

interface Pair {
  systolic: number;
  diastolic: number;
}

const ACC_AHA_LABELS = {
  normal: { label_en: 'Normal', label_zh: '正常血压' },
  elevated: { label_en: 'Elevated', label_zh: '血压升高' },
  stage_1: { label_en: 'Stage 1 hypertension', label_zh: '1期高血压' },
  stage_2: { label_en: 'Stage 2 hypertension', label_zh: '2期高血压' },
} as const;

/**
 * ACC/AHA office bands (2017 Table 6; 2025 keeps them). Home bands map each office boundary through the
 * guideline's corresponding-values table (2017 Table 11): office 120/80 ↔ HBPM 120/80, 130/80 ↔ 130/80,
 * 140/90 ↔ 135/85. Elevated has no diastolic entry because the table defines it as 120–129 *and* <80.
 */
function accAhaBands(stage2: Pair): readonly BpBand[] {
  return [
    { code: 'normal', ...ACC_AHA_LABELS.normal, systolic_at_least: 0, diastolic_at_least: 0 },
    { code: 'elevated', ...ACC_AHA_LABELS.elevated, systolic_at_least: 120, diastolic_at_least: null },
    { code: 'stage_1', ...ACC_AHA_LABELS.stage_1, systolic_at_least: 130, diastolic_at_least: 80 },
    {
      code: 'stage_2',
      ...ACC_AHA_LABELS.stage_2,
      systolic_at_least: stage2.systolic,
      diastolic_at_least: stage2.diastolic,
    },
  ];
}

const ESC_LABELS = {
  non_elevated: { label_en: 'Non-elevated BP', label_zh: '血压未升高' },
  elevated: { label_en: 'Elevated BP', label_zh: '血压升高' },
  hypertension: { label_en: 'Hypertension', label_zh: '高血压' },
} as const;

/** ESC 2024 bands: office <120/70, 120–139/70–89, ≥140/90; home <120/70, 120–134/70–84, ≥135/85. */
function escBands(elevated: Pair, hypertension: Pair): readonly BpBand[] {
  return [
    { code: 'non_elevated', ...ESC_LABELS.non_elevated, systolic_at_least: 0, diastolic_at_least: 0 },
    {
      code: 'elevated',
      ...ESC_LABELS.elevated,
      systolic_at_least: elevated.systolic,
      diastolic_at_least: elevated.diastolic,
    },
    {
      code: 'hypertension',
      ...ESC_LABELS.hypertension,
      systolic_at_least: hypertension.systolic,
      diastolic_at_least: hypertension.diastolic,
    },
  ];
}

const WHELTON_2017 =
  'Whelton PK, Carey RM, Aronow WS, et al. 2017 ACC/AHA/AAPA/ABC/ACPM/AGS/APhA/ASH/ASPC/NMA/PCNA Guideline for the Prevention, Detection, Evaluation, and Management of High Blood Pressure in Adults. Hypertension. 2018;71:e13–e115';
const JONES_2025 =
  'Jones DW, Ferdinand KC, Taler SJ, et al. 2025 AHA/ACC/AANP/AAPA/ABC/ACCP/ACPM/AGS/AMA/ASPC/NMA/PCNA/SGIM Guideline for the Prevention, Detection, Evaluation, and Management of High Blood Pressure in Adults. Hypertension and J Am Coll Cardiol. 2025';
const MCEVOY_2024 =
  'McEvoy JW, McCarthy CP, Bruno RM, et al. 2024 ESC Guidelines for the management of elevated blood pressure and hypertension. Eur Heart J. 2024;45:3912–4018';

export const BUILT_IN_BP_SCHEMES: Readonly<Record<BuiltInBpSchemeId, BuiltInBpScheme>> = {
  'acc-aha-2017': {
    id: 'acc-aha-2017',
    version: '2017',
    citation: WHELTON_2017,
    url: 'https://doi.org/10.1161/HYP.0000000000000065',
    settings: {
      office: {
        bands: accAhaBands({ systolic: 140, diastolic: 90 }),
        citation: `${WHELTON_2017}. Table 6 (categories of BP in adults).`,
      },
      home: {
        bands: accAhaBands({ systolic: 135, diastolic: 85 }),
        citation: `${WHELTON_2017}. Table 6 boundaries mapped to home values through Table 11 (HBPM column).`,
      },
    },
  },
  'acc-aha-2025': {
    id: 'acc-aha-2025',
    version: '2025',
    citation: JONES_2025,
    url: 'https://doi.org/10.1016/j.jacc.2025.05.007',
    settings: {
      office: {
        bands: accAhaBands({ systolic: 140, diastolic: 90 }),
        citation: `${JONES_2025}. Categories of BP in adults (unchanged from 2017).`,
      },
      home: {
        bands: accAhaBands({ systolic: 135, diastolic: 85 }),
        citation: `${JONES_2025}. Category boundaries mapped to home values through the table of HBPM values corresponding to office values.`,
      },
    },
  },
  'esc-2024': {
    id: 'esc-2024',
    version: '2024',
    citation: MCEVOY_2024,
    url: 'https://doi.org/10.1093/eurheartj/ehae178',
    settings: {
      office: {
        bands: escBands({ systolic: 120, diastolic: 70 }, { systolic: 140, diastolic: 90 }),
        citation: `${MCEVOY_2024}. BP categories, office thresholds.`,
      },
      home: {
        bands: escBands({ systolic: 120, diastolic: 70 }, { systolic: 135, diastolic: 85 }),
        citation: `${MCEVOY_2024}. BP categories, home (HBPM) thresholds.`,
      },
    },
  },
};
