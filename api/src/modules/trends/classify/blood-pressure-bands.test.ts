import { describe, expect, it } from 'vitest';
import { type BpClassifyOptions, classifyBloodPressure } from './blood-pressure.js';

const T0 = Date.UTC(2026, 0, 5, 7, 0);
const HOUR = 3_600_000;

/** One reading in the morning and one in the evening: 2 readings on 2 occasions, mean = the pair itself. */
function categoryOf(systolic: number, diastolic: number, options: BpClassifyOptions): string {
  const readings = [
    { t: T0, systolic, diastolic },
    { t: T0 + 12 * HOUR, systolic, diastolic },
  ];
  return classifyBloodPressure(readings, options).category;
}

type Row = [systolic: number, diastolic: number, category: string];

// ACC/AHA 2017 Table 6 (office): normal <120 and <80; elevated 120–129 and <80; stage 1 130–139 or 80–89;
// stage 2 ≥140 or ≥90; higher category wins (Table 6 footnote). 2025 AHA/ACC keeps the same categories.
const ACC_AHA_OFFICE: Row[] = [
  [119, 79, 'normal'], // both below 120/80
  [0, 0, 'normal'], // floor of the first band
  [120, 79, 'elevated'], // systolic reaches 120
  [129, 79, 'elevated'], // top of 120–129
  [130, 79, 'stage_1'], // systolic reaches 130
  [119, 80, 'stage_1'], // diastolic alone reaches 80: elevated has no diastolic range
  [120, 80, 'stage_1'], // systolic elevated, diastolic stage 1: higher wins
  [139, 89, 'stage_1'], // top of 130–139 / 80–89
  [140, 89, 'stage_2'], // systolic reaches 140
  [139, 90, 'stage_2'], // diastolic reaches 90
  [110, 95, 'stage_2'], // diastolic alone: higher category wins
  [150, 70, 'stage_2'], // systolic alone: higher category wins
];

// Home: Table 6 boundaries mapped through the HBPM column of 2017 Table 11 (120/80 ↔ 120/80,
// 130/80 ↔ 130/80, 140/90 ↔ 135/85); the 2025 guideline reproduces the same correspondence table.
const ACC_AHA_HOME: Row[] = [
  [119, 79, 'normal'],
  [120, 79, 'elevated'],
  [129, 79, 'elevated'],
  [130, 79, 'stage_1'],
  [119, 80, 'stage_1'],
  [134, 84, 'stage_1'], // top of home stage 1
  [135, 84, 'stage_2'], // HBPM 135 ↔ office 140
  [134, 85, 'stage_2'], // HBPM 85 ↔ office 90
  [139, 89, 'stage_2'], // stage 1 in the office, stage 2 at home
];

// ESC 2024 (McEvoy et al.), office: non-elevated <120/70; elevated 120–139/70–89; hypertension ≥140/90.
const ESC_OFFICE: Row[] = [
  [119, 69, 'non_elevated'],
  [120, 69, 'elevated'], // systolic reaches 120
  [119, 70, 'elevated'], // diastolic reaches 70: unlike ACC/AHA, diastolic alone enters elevated
  [139, 89, 'elevated'], // top of 120–139 / 70–89
  [140, 89, 'hypertension'],
  [139, 90, 'hypertension'],
  [135, 85, 'elevated'], // hypertension at home, elevated in the office
];

// ESC 2024, home: non-elevated <120/70; elevated 120–134/70–84; hypertension ≥135/85.
const ESC_HOME: Row[] = [
  [119, 69, 'non_elevated'],
  [120, 69, 'elevated'],
  [119, 70, 'elevated'],
  [134, 84, 'elevated'], // top of 120–134 / 70–84
  [135, 84, 'hypertension'],
  [134, 85, 'hypertension'],
];

describe.each([
  ['acc-aha-2017', 'office', ACC_AHA_OFFICE],
  ['acc-aha-2017', 'home', ACC_AHA_HOME],
  ['acc-aha-2025', 'office', ACC_AHA_OFFICE],
  ['acc-aha-2025', 'home', ACC_AHA_HOME],
  ['esc-2024', 'office', ESC_OFFICE],
  ['esc-2024', 'home', ESC_HOME],
] as const)('%s %s boundaries', (scheme, setting, rows) => {
  it.each(rows)('classifies a mean of %i/%i as %s', (systolic, diastolic, category) => {
    expect(categoryOf(systolic, diastolic, { scheme, setting })).toBe(category);
  });
});

describe('fractional means', () => {
  it('keeps a mean of 129.9/79 elevated and moves 129.96 (shown as 130.0) to stage_1', () => {
    const at = (systolic: number[]) =>
      classifyBloodPressure(
        systolic.map((s, i) => ({ t: T0 + i * 12 * HOUR, systolic: s, diastolic: 79 })),
        { scheme: 'acc-aha-2017', setting: 'office' },
      );
    const below = at([129.8, 130]);
    expect([below.inputs.mean_systolic, below.category]).toEqual([129.9, 'elevated']);
    const rounded = at([129.92, 130]);
    expect([rounded.inputs.mean_systolic, rounded.category]).toEqual([130, 'stage_1']);
  });
});
