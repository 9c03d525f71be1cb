import { describe, expect, it } from 'vitest';
import { bmiFrom } from './bmi.js';

describe('bmiFrom', () => {
  it('gives 70 kg at 1.75 m a BMI of 22.857… shown as 22.9', () => {
    expect(bmiFrom([{ t: 2000, v: 70, source: 'scale-1' }], [{ t: 1000, v: 1.75 }])).toEqual({
      bmi: 70 / 1.75 ** 2,
      bmi_rounded: 22.9,
      weight: { kg: 70, t: 2000, source: 'scale-1' },
      height: { m: 1.75, t: 1000, source: null },
    });
  });

  it('uses the latest weight and the latest height even when they come from different sources', () => {
    const r = bmiFrom(
      [
        { t: 1000, v: 90, source: 'scale-1' },
        { t: 3000, v: 81, source: 'scale-2' },
      ],
      [
        { t: 500, v: 1.8, source: 'profile' },
        { t: 2500, v: 1.8, source: 'scale-2' },
      ],
    );
    expect(r?.bmi_rounded).toBe(25);
    expect(r?.weight.source).toBe('scale-2');
    expect(r?.height).toEqual({ m: 1.8, t: 2500, source: 'scale-2' });
  });

  it('is null without a height, and ignores a height of 0', () => {
    expect(bmiFrom([{ t: 1, v: 70 }], [])).toBeNull();
    expect(bmiFrom([{ t: 1, v: 70 }], [{ t: 2, v: 0 }])).toBeNull();
  });
});
