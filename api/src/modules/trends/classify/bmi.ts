import { ClassifyError, DISCLAIMER, type Disclaimer, roundTo, type Source } from './common.js';

export type BmiSchemeId = 'who' | 'who-asian' | 'china';

export interface BmiBand {
  code: string;
  label_en: string;
  label_zh: string;
  /** Inclusive lower bound in kg/m²; the band runs to the next band's bound, exclusive: [at_least, next). */
  at_least: number;
}

export interface BmiScheme {
  id: BmiSchemeId;
  version: string;
  citation: string;
  url?: string;
  bands: readonly BmiBand[];
}

export const BMI_SCHEME_DATA: Readonly<Record<BmiSchemeId, BmiScheme>> = {
  // WHO TRS 894 (2000), classification of adults according to BMI.
  who: {
    id: 'who',
    version: '2000',
    citation:
      'WHO. Obesity: preventing and managing the global epidemic. Report of a WHO Consultation. WHO Technical Report Series 894. Geneva: World Health Organization; 2000. Classification of adults according to BMI.',
    bands: [
      { code: 'underweight', label_en: 'Underweight', label_zh: '体重过低', at_least: 0 },
      { code: 'normal', label_en: 'Normal range', label_zh: '正常范围', at_least: 18.5 },
      { code: 'pre_obese', label_en: 'Pre-obese', label_zh: '肥胖前期', at_least: 25 },
      { code: 'obese_i', label_en: 'Obese class I', label_zh: 'I 级肥胖', at_least: 30 },
      { code: 'obese_ii', label_en: 'Obese class II', label_zh: 'II 级肥胖', at_least: 35 },
      { code: 'obese_iii', label_en: 'Obese class III', label_zh: 'III 级肥胖', at_least: 40 },
    ],
  },
  // The consultation named risk up to 27.5 (increased / high); the bands above 27.5 follow its further action
  // points 32.5 and 37.5, and their names are this product's.
  'who-asian': {
    id: 'who-asian',
    version: '2004',
    citation:
      'WHO Expert Consultation. Appropriate body-mass index for Asian populations and its implications for policy and intervention strategies. Lancet. 2004;363:157–163. Public health action points 18.5, 23, 27.5, 32.5 and 37.5 kg/m².',
    url: 'https://doi.org/10.1016/S0140-6736(03)15268-3',
    bands: [
      { code: 'underweight', label_en: 'Underweight', label_zh: '体重过低', at_least: 0 },
      {
        code: 'acceptable_risk',
        label_en: 'Increasing but acceptable risk',
        label_zh: '风险增加但可接受',
        at_least: 18.5,
      },
      { code: 'increased_risk', label_en: 'Increased risk', label_zh: '风险增加', at_least: 23 },
      { code: 'high_risk', label_en: 'High risk', label_zh: '高风险', at_least: 27.5 },
      {
        code: 'high_risk_32_5',
        label_en: 'High risk (action point 32.5)',
        label_zh: '高风险（行动点 32.5）',
        at_least: 32.5,
      },
      {
        code: 'high_risk_37_5',
        label_en: 'High risk (action point 37.5)',
        label_zh: '高风险（行动点 37.5）',
        at_least: 37.5,
      },
    ],
  },
  // WS/T 428-2013 成人体重判定 (Criteria of weight for adults), BMI table; it applies to adults aged 18 and over.
  china: {
    id: 'china',
    version: '2013',
    citation:
      'National Health and Family Planning Commission of the PRC. WS/T 428-2013 Criteria of weight for adults (成人体重判定). 2013.',
    bands: [
      { code: 'underweight', label_en: 'Underweight', label_zh: '体重过低', at_least: 0 },
      { code: 'normal', label_en: 'Normal weight', label_zh: '体重正常', at_least: 18.5 },
      { code: 'overweight', label_en: 'Overweight', label_zh: '超重', at_least: 24 },
      { code: 'obese', label_en: 'Obese', label_zh: '肥胖', at_least: 28 },
    ],
  },
};

export interface BmiInput {
  weight_kg: number;
  height_m: number;
  /** Whole or fractional years; null or absent when the birth date is unknown. */
  age_years?: number | null;
}

/** Adult BMI cut-offs apply from 18; WHO assesses children and adolescents with BMI-for-age instead. */
export const ADULT_AGE_YEARS = 18;

export interface BmiClassification {
  kind: 'bmi';
  scheme: BmiSchemeId;
  scheme_version: string;
  category: string;
  label_en: string;
  label_zh: string;
  inputs: {
    /** kg/m² to 0.01, the value classified. */
    bmi: number;
    weight_kg: number;
    height_m: number;
    age_years: number | null;
    age_unknown: boolean;
  };
  thresholds: { bands: { code: string; at_least: number }[]; adult_age_years: number };
  source: Source;
  disclaimer: Disclaimer;
}

const UNDER_18 = {
  category: 'not_applicable',
  label_en: 'Not classified: adult BMI categories do not apply under 18 (BMI-for-age is used)',
  label_zh: '不分类：成人 BMI 分类不适用于 18 岁以下（应使用年龄别 BMI）',
} as const;

/**
 * BMI = weight / height², rounded to 0.01 kg/m² (the precision of the WHO table, e.g. 24.99) and classified on
 * half-open intervals. Unknown age is classified as an adult and flagged in `inputs.age_unknown`.
 */
export function classifyBmi(input: BmiInput, options: { scheme: BmiSchemeId }): BmiClassification {
  assertPositive('weight_kg', input.weight_kg);
  assertPositive('height_m', input.height_m);
  const age = input.age_years ?? null;
  if (age !== null && !(Number.isFinite(age) && age >= 0)) {
    throw new ClassifyError('API_ERR_BAD_MEASUREMENT', 'age_years must be 0 or more', { age_years: age });
  }
  const scheme = BMI_SCHEME_DATA[options.scheme];
  const bmi = roundTo(input.weight_kg / input.height_m ** 2, 2);
  const base = {
    kind: 'bmi' as const,
    scheme: scheme.id,
    scheme_version: scheme.version,
    inputs: {
      bmi,
      weight_kg: input.weight_kg,
      height_m: input.height_m,
      age_years: age,
      age_unknown: age === null,
    },
    thresholds: {
      bands: scheme.bands.map(({ code, at_least }) => ({ code, at_least })),
      adult_age_years: ADULT_AGE_YEARS,
    },
    source:
      scheme.url === undefined
        ? { citation: scheme.citation }
        : { citation: scheme.citation, url: scheme.url },
    disclaimer: DISCLAIMER,
  };
  if (age !== null && age < ADULT_AGE_YEARS) return { ...base, ...UNDER_18 };
  const band = bmiBandFor(scheme.bands, bmi);
  return { ...base, category: band.code, label_en: band.label_en, label_zh: band.label_zh };
}

/** The last band whose lower bound the value reaches: [a, b) intervals. */
export function bmiBandFor(bands: readonly BmiBand[], bmi: number): BmiBand {
  let found = bands[0];
  for (const band of bands) if (bmi >= band.at_least) found = band;
  if (!found) throw new ClassifyError('API_ERR_BAD_MEASUREMENT', 'a BMI scheme needs at least one band');
  return found;
}

function assertPositive(field: 'weight_kg' | 'height_m', value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ClassifyError('API_ERR_BAD_MEASUREMENT', `${field} must be a number above 0`, { field, value });
  }
}
