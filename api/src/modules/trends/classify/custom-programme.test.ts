import { describe, expect, it } from 'vitest';
import { classifyBloodPressure } from './blood-pressure.js';
import { type CustomBpProgramme, validateCustomBpProgramme } from './custom-programme.js';

const T0 = Date.UTC(2026, 0, 5, 7, 0);

/** A clinic's programme: a low band, a target band, and two alert bands; "watch" is entered by systolic only. */
const CLINIC: CustomBpProgramme = {
  name: 'Clinic A post-stroke',
  version: '3',
  categories: [
    { code: 'low', label: 'Below target', systolic_at_least: 0, diastolic_at_least: 0 },
    { code: 'target', label: 'On target', systolic_at_least: 100, diastolic_at_least: 60 },
    { code: 'watch', label: 'Watch', systolic_at_least: 125, diastolic_at_least: null },
    { code: 'call_us', label: 'Call the clinic', systolic_at_least: 135, diastolic_at_least: 85 },
  ],
};

function categoryOf(systolic: number, diastolic: number): string {
  const readings = [
    { t: T0, systolic, diastolic },
    { t: T0 + 12 * 3_600_000, systolic, diastolic },
  ];
  return classifyBloodPressure(readings, { scheme: 'custom', setting: 'home', programme: CLINIC }).category;
}

describe('custom programme classification', () => {
  it.each([
    [99, 59, 'low'],
    [100, 59, 'target'], // systolic reaches the target band
    [99, 60, 'target'], // diastolic reaches the target band
    [124, 84, 'target'],
    [125, 60, 'watch'],
    [110, 84, 'target'], // watch has no diastolic entry
    [134, 84, 'watch'],
    [135, 60, 'call_us'],
    [110, 85, 'call_us'], // higher category wins
  ])('classifies a mean of %i/%i as %s', (systolic, diastolic, category) => {
    expect(categoryOf(systolic, diastolic)).toBe(category);
  });

  it('reports the programme as scheme custom with its version, label and citation', () => {
    const readings = [
      { t: T0, systolic: 140, diastolic: 80 },
      { t: T0 + 12 * 3_600_000, systolic: 140, diastolic: 80 },
    ];
    const result = classifyBloodPressure(readings, {
      scheme: 'custom',
      setting: 'office',
      programme: CLINIC,
    });
    expect(result).toMatchObject({
      scheme: 'custom',
      scheme_version: '3',
      setting: 'office',
      category: 'call_us',
      label_en: 'Call the clinic',
      label_zh: 'Call the clinic',
      source: { citation: 'Custom programme “Clinic A post-stroke”, version 3' },
    });
    expect(result.thresholds.bands[2]).toEqual({
      code: 'watch',
      systolic_at_least: 125,
      diastolic_at_least: null,
    });
  });

  it('refuses to classify with an invalid programme, throwing API_ERR_BAD_BP_PROGRAMME', () => {
    const broken = {
      ...CLINIC,
      categories: [CLINIC.categories[0]!, CLINIC.categories[3]!, CLINIC.categories[1]!],
    };
    expect(() => classifyBloodPressure([], { scheme: 'custom', setting: 'home', programme: broken })).toThrow(
      expect.objectContaining({ code: 'API_ERR_BAD_BP_PROGRAMME' }),
    );
  });
});

describe('validateCustomBpProgramme', () => {
  it('accepts the clinic programme', () => {
    expect(validateCustomBpProgramme(CLINIC)).toEqual({ ok: true, programme: CLINIC });
  });

  it('lists every ordering issue: floor not at 0/0, a falling systolic, a duplicate code, an all-null band', () => {
    const result = validateCustomBpProgramme({
      name: 'x',
      version: '1',
      categories: [
        { code: 'a', label: 'A', systolic_at_least: 90, diastolic_at_least: 0 },
        { code: 'b', label: 'B', systolic_at_least: 130, diastolic_at_least: 80 },
        { code: 'b', label: 'B again', systolic_at_least: 120, diastolic_at_least: 90 },
        { code: 'd', label: 'D', systolic_at_least: null, diastolic_at_least: null },
      ],
    });
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: '/categories/0', reason: 'the first category must start at systolic 0 and diastolic 0' },
        { path: '/categories/2/code', reason: 'duplicate code b' },
        {
          path: '/categories/2/systolic_at_least',
          reason: 'must be greater than 130, the previous systolic_at_least',
        },
        {
          path: '/categories/3',
          reason: 'at least one of systolic_at_least and diastolic_at_least must be a number',
        },
      ],
    });
  });

  it('rejects an equal diastolic threshold (80 after 80): thresholds rise strictly', () => {
    const result = validateCustomBpProgramme({
      name: 'x',
      version: '1',
      categories: [
        { code: 'a', label: 'A', systolic_at_least: 0, diastolic_at_least: 0 },
        { code: 'b', label: 'B', systolic_at_least: 130, diastolic_at_least: 80 },
        { code: 'c', label: 'C', systolic_at_least: 140, diastolic_at_least: 80 },
      ],
    });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: '/categories/2/diastolic_at_least',
          reason: 'must be greater than 80, the previous diastolic_at_least',
        },
      ],
    });
  });

  it('compares a threshold with the last non-null one of its component, skipping nulls', () => {
    const result = validateCustomBpProgramme({
      name: 'x',
      version: '1',
      categories: [
        { code: 'a', label: 'A', systolic_at_least: 0, diastolic_at_least: 0 },
        { code: 'b', label: 'B', systolic_at_least: 120, diastolic_at_least: 85 },
        { code: 'c', label: 'C', systolic_at_least: 130, diastolic_at_least: null },
        { code: 'd', label: 'D', systolic_at_least: 140, diastolic_at_least: 80 },
      ],
    });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: '/categories/3/diastolic_at_least',
          reason: 'must be greater than 85, the previous diastolic_at_least',
        },
      ],
    });
  });

  it.each([
    ['an upper-case code', { code: 'Stage1' }, '/categories/1/code'],
    ['a code of 33 characters', { code: `a${'b'.repeat(32)}` }, '/categories/1/code'],
    ['an empty label', { label: '' }, '/categories/1/label'],
    ['a negative threshold', { systolic_at_least: -1 }, '/categories/1/systolic_at_least'],
    ['an unknown field', { colour: 'red' }, '/categories/1'],
  ])('rejects %s by schema', (_name, patch, path) => {
    const programme = {
      ...CLINIC,
      categories: [CLINIC.categories[0], { ...CLINIC.categories[1], ...patch }],
    };
    const result = validateCustomBpProgramme(programme);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.issues.map((i) => i.path)).toContain(path);
  });

  it('rejects 0 and 9 categories and a missing version', () => {
    const nine = Array.from({ length: 9 }, (_, i) => ({
      code: `c${i}`,
      label: `C${i}`,
      systolic_at_least: i * 10,
      diastolic_at_least: i * 5,
    }));
    expect(validateCustomBpProgramme({ ...CLINIC, categories: [] }).ok).toBe(false);
    expect(validateCustomBpProgramme({ ...CLINIC, categories: nine }).ok).toBe(false);
    expect(validateCustomBpProgramme({ ...CLINIC, categories: nine.slice(0, 8) }).ok).toBe(true);
    const { version: _v, ...noVersion } = CLINIC;
    expect(validateCustomBpProgramme(noVersion).ok).toBe(false);
  });
});
