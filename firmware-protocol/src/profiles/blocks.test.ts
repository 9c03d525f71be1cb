import { describe, expect, it } from 'vitest';
import { encodeBloodPressureMeasurement } from '../codecs/blood-pressure.js';
import { bloodPressureBlock, withTime } from './blocks.js';

const frame = (year: number) =>
  encodeBloodPressureMeasurement({
    unit: 'mmHg',
    systolic: 120,
    diastolic: 80,
    meanArterialPressure: 93,
    timestamp: { year, month: 1, day: 2, hours: 3, minutes: 4, seconds: 5 },
  });

describe('raw device time stamps', () => {
  it('keeps the raw stamp of an unset clock but gives no deviceTime for it', () => {
    const [r] = bloodPressureBlock.decode(frame(2000));
    expect(r?.deviceTime).toBeUndefined();
    expect(r?.deviceDateTime).toEqual({ year: 2000, month: 1, day: 2, hours: 3, minutes: 4, seconds: 5 });
  });

  it('gives both for a plausible stamp', () => {
    const [r] = bloodPressureBlock.decode(frame(2026));
    expect(r?.deviceTime).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(r?.deviceDateTime?.year).toBe(2026);
  });

  it('adds nothing without a stamp', () => {
    expect(withTime({ values: {}, quality: [], slot: null }, undefined)).toEqual({
      values: {},
      quality: [],
      slot: null,
    });
  });
});
