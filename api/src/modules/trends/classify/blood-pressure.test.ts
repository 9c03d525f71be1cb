import { describe, expect, it } from 'vitest';
import { classifyBloodPressure, isUrgentBloodPressure } from './blood-pressure.js';
import { DISCLAIMER } from './common.js';

const T0 = Date.UTC(2026, 0, 5, 7, 0); // 2026-01-05T07:00:00.000Z
const MIN = 60_000;
const OFFICE_2017 = { scheme: 'acc-aha-2017', setting: 'office' } as const;

describe('classifyBloodPressure: readings and occasions', () => {
  it('averages 3 readings on 2 occasions (07:00, 07:01, 19:00) to 130/80 and returns the whole result', () => {
    const result = classifyBloodPressure(
      [
        { t: T0, systolic: 128, diastolic: 78 },
        { t: T0 + MIN, systolic: 132, diastolic: 82 },
        { t: T0 + 720 * MIN, systolic: 130, diastolic: 80 },
      ],
      OFFICE_2017,
    );
    expect(result).toEqual({
      kind: 'blood_pressure',
      scheme: 'acc-aha-2017',
      scheme_version: '2017',
      setting: 'office',
      category: 'stage_1',
      label_en: 'Stage 1 hypertension',
      label_zh: '1期高血压',
      inputs: {
        readings_used: 3,
        readings_cuffless_excluded: 0,
        occasions: 2,
        mean_systolic: 130,
        mean_diastolic: 80,
        from: '2026-01-05T07:00:00.000Z',
        to: '2026-01-05T19:00:00.000Z',
      },
      thresholds: {
        bands: [
          { code: 'normal', systolic_at_least: 0, diastolic_at_least: 0 },
          { code: 'elevated', systolic_at_least: 120, diastolic_at_least: null },
          { code: 'stage_1', systolic_at_least: 130, diastolic_at_least: 80 },
          { code: 'stage_2', systolic_at_least: 140, diastolic_at_least: 90 },
        ],
        min_readings: 2,
        min_occasions: 2,
        occasion_gap_minutes: 30,
      },
      source: {
        citation: expect.stringContaining('Hypertension. 2018;71:e13–e115. Table 6'),
        url: 'https://doi.org/10.1161/HYP.0000000000000065',
      },
      disclaimer: DISCLAIMER,
    });
  });

  it('returns insufficient_data for 3 readings 29 minutes apart (07:00, 07:29, 07:58): one occasion', () => {
    const result = classifyBloodPressure(
      [0, 29, 58].map((m) => ({ t: T0 + m * MIN, systolic: 150, diastolic: 95 })),
      OFFICE_2017,
    );
    expect([result.category, result.inputs.occasions, result.inputs.readings_used]).toEqual([
      'insufficient_data',
      1,
      3,
    ]);
  });

  it('counts 2 occasions for readings exactly 30 minutes apart and classifies them', () => {
    const result = classifyBloodPressure(
      [0, 30].map((m) => ({ t: T0 + m * MIN, systolic: 150, diastolic: 95 })),
      OFFICE_2017,
    );
    expect([result.category, result.inputs.occasions]).toEqual(['stage_2', 2]);
  });

  it('returns insufficient_data for a single reading, with its mean still reported', () => {
    const result = classifyBloodPressure([{ t: T0, systolic: 118, diastolic: 76 }], OFFICE_2017);
    expect(result.category).toBe('insufficient_data');
    expect(result.inputs).toMatchObject({
      readings_used: 1,
      occasions: 1,
      mean_systolic: 118,
      mean_diastolic: 76,
    });
  });

  it('returns insufficient_data with null means and times for no readings', () => {
    const result = classifyBloodPressure([], OFFICE_2017);
    expect(result.category).toBe('insufficient_data');
    expect(result.inputs).toEqual({
      readings_used: 0,
      readings_cuffless_excluded: 0,
      occasions: 0,
      mean_systolic: null,
      mean_diastolic: null,
      from: null,
      to: null,
    });
  });

  it('sorts readings given out of order before counting occasions and reporting from/to', () => {
    const result = classifyBloodPressure(
      [
        { t: T0 + 600 * MIN, systolic: 118, diastolic: 70 },
        { t: T0, systolic: 118, diastolic: 70 },
      ],
      OFFICE_2017,
    );
    expect([result.category, result.inputs.from, result.inputs.to]).toEqual([
      'normal',
      '2026-01-05T07:00:00.000Z',
      '2026-01-05T17:00:00.000Z',
    ]);
  });
});

describe('classifyBloodPressure: higher category wins', () => {
  it('classifies a mean of 125/85 as stage_1 (systolic elevated, diastolic stage 1)', () => {
    const readings = [
      { t: T0, systolic: 125, diastolic: 85 },
      { t: T0 + 720 * MIN, systolic: 125, diastolic: 85 },
    ];
    expect(classifyBloodPressure(readings, OFFICE_2017).category).toBe('stage_1');
  });
});

describe('classifyBloodPressure: cuffless readings', () => {
  it('returns not_applicable when every reading is cuffless, counting them as excluded', () => {
    const result = classifyBloodPressure(
      [0, 720].map((m) => ({ t: T0 + m * MIN, systolic: 170, diastolic: 100, cuffless: true })),
      OFFICE_2017,
    );
    expect([result.category, result.label_en]).toEqual([
      'not_applicable',
      'Not classified: cuffless readings are not used for classification',
    ]);
    expect(result.inputs).toMatchObject({
      readings_used: 0,
      readings_cuffless_excluded: 2,
      mean_systolic: null,
    });
  });

  it('leaves a 170/100 cuffless reading out of the mean of two cuffed 118/76 readings', () => {
    const result = classifyBloodPressure(
      [
        { t: T0, systolic: 118, diastolic: 76 },
        { t: T0 + 60 * MIN, systolic: 170, diastolic: 100, cuffless: true },
        { t: T0 + 720 * MIN, systolic: 118, diastolic: 76 },
      ],
      OFFICE_2017,
    );
    expect(result.category).toBe('normal');
    expect(result.inputs).toMatchObject({
      readings_used: 2,
      readings_cuffless_excluded: 1,
      mean_systolic: 118,
      mean_diastolic: 76,
    });
  });

  it('does not let a cuffless reading make the second occasion', () => {
    const result = classifyBloodPressure(
      [
        { t: T0, systolic: 118, diastolic: 76 },
        { t: T0 + MIN, systolic: 118, diastolic: 76 },
        { t: T0 + 720 * MIN, systolic: 118, diastolic: 76, cuffless: true },
      ],
      OFFICE_2017,
    );
    expect([result.category, result.inputs.occasions]).toEqual(['insufficient_data', 1]);
  });
});

describe('classifyBloodPressure: bad input', () => {
  it('rejects a NaN systolic with API_ERR_BAD_MEASUREMENT rather than classifying it as normal', () => {
    expect(() =>
      classifyBloodPressure(
        [
          { t: T0, systolic: Number.NaN, diastolic: 80 },
          { t: T0 + 720 * MIN, systolic: 120, diastolic: 80 },
        ],
        OFFICE_2017,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'API_ERR_BAD_MEASUREMENT',
        details: { field: 'systolic', value: NaN },
      }),
    );
  });
});

describe('isUrgentBloodPressure (product rule: ≥180 and/or ≥120)', () => {
  it.each([
    [179, 119, false], // just below both
    [180, 0, true], // systolic at 180: one mmHg more cautious than the guideline's >180
    [0, 120, true], // diastolic at 120: one mmHg more cautious than >120
    [181, 80, true],
    [150, 121, true],
    [179.9, 119.9, false],
  ])('%s/%s → %s', (systolic, diastolic, urgent) => {
    expect(isUrgentBloodPressure(systolic, diastolic)).toBe(urgent);
  });

  it('rejects a negative diastolic with API_ERR_BAD_MEASUREMENT', () => {
    expect(() => isUrgentBloodPressure(120, -1)).toThrow(
      expect.objectContaining({ code: 'API_ERR_BAD_MEASUREMENT' }),
    );
  });
});
