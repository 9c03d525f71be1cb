import { describe, expect, it } from 'vitest';
import { isUrgentBloodPressure, URGENT_BP_THRESHOLDS, urgentBloodPressureOf } from './urgent.js';

describe('isUrgentBloodPressure (systolic ≥180 and/or diastolic ≥120 mm[Hg])', () => {
  it.each([
    [179, 119, false], // just below both
    [180, 80, true], // systolic exactly 180: one mmHg more cautious than the guideline's >180
    [120, 120, true], // diastolic exactly 120: one mmHg more cautious than >120
    [181, 80, true],
    [150, 121, true],
    [179.9, 119.9, false],
  ])('%s/%s → %s', (systolic, diastolic, urgent) => {
    expect(isUrgentBloodPressure(systolic, diastolic)).toBe(urgent);
  });

  it('names the thresholds 180 and 120', () => {
    expect(URGENT_BP_THRESHOLDS).toEqual({ systolic: 180, diastolic: 120 });
  });

  it('throws PROTO_ERR_OUT_OF_RANGE for a NaN diastolic instead of calling it not urgent', () => {
    expect(() => isUrgentBloodPressure(190, Number.NaN)).toThrow(
      expect.objectContaining({ code: 'PROTO_ERR_OUT_OF_RANGE', details: { field: 'diastolic' } }),
    );
  });
});

describe('urgentBloodPressureOf', () => {
  const bp = (systolic: number, diastolic: number, quality: string[] = []) => ({
    metric: 'blood_pressure',
    values: { systolic, diastolic, pulse: 70 },
    quality,
  });

  it('returns the pair of a cuffed 185/95 reading', () => {
    expect(urgentBloodPressureOf(bp(185, 95))).toEqual({ systolic: 185, diastolic: 95 });
  });

  it('returns undefined for 179/119', () => {
    expect(urgentBloodPressureOf(bp(179, 119))).toBeUndefined();
  });

  it('returns undefined for a 200/130 reading flagged cuffless', () => {
    expect(urgentBloodPressureOf(bp(200, 130, ['measurement_moving', 'cuffless']))).toBeUndefined();
  });

  it('returns undefined for another metric and for a reading without a diastolic', () => {
    expect(
      urgentBloodPressureOf({ metric: 'heart_rate', values: { bpm: 190 }, quality: [] }),
    ).toBeUndefined();
    expect(
      urgentBloodPressureOf({ metric: 'blood_pressure', values: { systolic: 200 }, quality: [] }),
    ).toBeUndefined();
  });
});
