import { describe, expect, it } from 'vitest';
import { type BmiSchemeId, classifyBmi } from './bmi.js';
import { DISCLAIMER } from './common.js';

/** At 2 m, weight = 4 × BMI, so each row names the BMI directly. */
function categoryOf(bmi: number, scheme: BmiSchemeId): string {
  return classifyBmi({ weight_kg: bmi * 4, height_m: 2, age_years: 40 }, { scheme }).category;
}

type Row = [bmi: number, category: string];

// WHO TRS 894 (2000), classification of adults by BMI: <18.50 underweight; 18.50–24.99 normal range;
// 25.00–29.99 pre-obese; 30.00–34.99 obese class I; 35.00–39.99 obese class II; ≥40.00 obese class III.
const WHO: Row[] = [
  [18.49, 'underweight'],
  [18.5, 'normal'],
  [22.99, 'normal'],
  [23, 'normal'], // an action point only in the Asian scheme
  [24.99, 'normal'],
  [25, 'pre_obese'],
  [27.49, 'pre_obese'],
  [27.5, 'pre_obese'],
  [29.99, 'pre_obese'],
  [30, 'obese_i'],
  [34.99, 'obese_i'],
  [35, 'obese_ii'],
  [39.99, 'obese_ii'],
  [40, 'obese_iii'],
];

// WHO Expert Consultation, Lancet 2004;363:157–163: <18.5 underweight; 18.5–23 increasing but acceptable risk;
// 23–27.5 increased risk; ≥27.5 high risk; further public-health action points at 32.5 and 37.5.
const WHO_ASIAN: Row[] = [
  [18.49, 'underweight'],
  [18.5, 'acceptable_risk'],
  [22.99, 'acceptable_risk'],
  [23, 'increased_risk'],
  [24.99, 'increased_risk'],
  [25, 'increased_risk'], // pre-obese under WHO, still below the 27.5 action point
  [27.49, 'increased_risk'],
  [27.5, 'high_risk'],
  [32.49, 'high_risk'],
  [32.5, 'high_risk_32_5'],
  [37.49, 'high_risk_32_5'],
  [37.5, 'high_risk_37_5'],
];

// WS/T 428-2013: BMI <18.5 体重过低; 18.5 ≤ BMI < 24.0 体重正常; 24.0 ≤ BMI < 28.0 超重; BMI ≥ 28.0 肥胖.
const CHINA: Row[] = [
  [18.49, 'underweight'],
  [18.5, 'normal'],
  [23.99, 'normal'],
  [24, 'overweight'],
  [27.99, 'overweight'],
  [28, 'obese'],
  [45, 'obese'],
];

describe.each([
  ['who', WHO],
  ['who-asian', WHO_ASIAN],
  ['china', CHINA],
] as const)('%s boundaries', (scheme, rows) => {
  it.each(rows)('classifies BMI %s as %s', (bmi, category) => {
    expect(categoryOf(bmi, scheme)).toBe(category);
  });
});

describe('classifyBmi', () => {
  it('classifies 70 kg at 1.75 m (BMI 22.86) under who-asian and returns the whole result', () => {
    expect(classifyBmi({ weight_kg: 70, height_m: 1.75, age_years: 34 }, { scheme: 'who-asian' })).toEqual({
      kind: 'bmi',
      scheme: 'who-asian',
      scheme_version: '2004',
      category: 'acceptable_risk',
      label_en: 'Increasing but acceptable risk',
      label_zh: '风险增加但可接受',
      inputs: { bmi: 22.86, weight_kg: 70, height_m: 1.75, age_years: 34, age_unknown: false },
      thresholds: {
        bands: [
          { code: 'underweight', at_least: 0 },
          { code: 'acceptable_risk', at_least: 18.5 },
          { code: 'increased_risk', at_least: 23 },
          { code: 'high_risk', at_least: 27.5 },
          { code: 'high_risk_32_5', at_least: 32.5 },
          { code: 'high_risk_37_5', at_least: 37.5 },
        ],
        adult_age_years: 18,
      },
      source: {
        citation: expect.stringContaining('Lancet. 2004;363:157–163'),
        url: 'https://doi.org/10.1016/S0140-6736(03)15268-3',
      },
      disclaimer: DISCLAIMER,
    });
  });

  it('rounds 24.995 kg/m² up to 25.00 before classifying (WHO tables are to 0.01)', () => {
    const result = classifyBmi({ weight_kg: 99.98, height_m: 2 }, { scheme: 'who' });
    expect([result.inputs.bmi, result.category]).toEqual([25, 'pre_obese']);
  });

  it('returns not_applicable at 17.9 years and classifies at 18', () => {
    const child = classifyBmi({ weight_kg: 90, height_m: 1.7, age_years: 17.9 }, { scheme: 'who' });
    expect([child.category, child.label_en]).toEqual([
      'not_applicable',
      'Not classified: adult BMI categories do not apply under 18 (BMI-for-age is used)',
    ]);
    expect(child.inputs.bmi).toBe(31.14);
    expect(classifyBmi({ weight_kg: 90, height_m: 1.7, age_years: 18 }, { scheme: 'who' }).category).toBe(
      'obese_i',
    );
  });

  it('classifies an unknown age as an adult and says age_unknown', () => {
    const result = classifyBmi({ weight_kg: 80, height_m: 1.7, age_years: null }, { scheme: 'china' });
    expect([result.category, result.inputs.age_years, result.inputs.age_unknown]).toEqual([
      'overweight',
      null,
      true,
    ]);
    expect(classifyBmi({ weight_kg: 80, height_m: 1.7 }, { scheme: 'china' }).inputs.age_unknown).toBe(true);
  });

  it.each([
    [{ weight_kg: 0, height_m: 1.7 }, 'weight_kg'],
    [{ weight_kg: 70, height_m: Number.NaN }, 'height_m'],
    [{ weight_kg: 70, height_m: -1.7 }, 'height_m'],
  ])('rejects %o with API_ERR_BAD_MEASUREMENT naming %s', (input, field) => {
    expect(() => classifyBmi(input, { scheme: 'who' })).toThrow(
      expect.objectContaining({
        code: 'API_ERR_BAD_MEASUREMENT',
        details: expect.objectContaining({ field }),
      }),
    );
  });

  it('rejects a negative age with API_ERR_BAD_MEASUREMENT', () => {
    expect(() => classifyBmi({ weight_kg: 70, height_m: 1.7, age_years: -1 }, { scheme: 'who' })).toThrow(
      expect.objectContaining({ code: 'API_ERR_BAD_MEASUREMENT' }),
    );
  });
});
