import { describe, expect, it } from 'vitest';
import { churnOf, riskOfRatio, usualGap } from './churn.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const weekly = [44, 51, 58, 65, 72];

describe('churn risk from the person’s own rhythm', () => {
  it('takes the median gap between measuring days', () => {
    expect(usualGap([1, 2, 3])).toBe(1);
    expect(usualGap([0, 7, 14, 28])).toBe(7); // gaps 7, 7, 14
    expect(usualGap([0, 1, 5, 6])).toBe(1); // gaps 1, 4, 1
    expect(usualGap([0, 1, 3, 6, 10])).toBe(2.5); // gaps 1, 2, 3, 4
    expect(usualGap([5, 5, 9])).toBeNull(); // two distinct days: no rhythm yet
  });

  it('scales risk from 0 at the usual gap to 1 at four gaps', () => {
    expect([0.5, 1, 2.5, 4, 9].map(riskOfRatio)).toEqual([0, 0, 0.5, 1, 1]);
  });

  it('sees nothing within the rhythm and a small risk when a little late', () => {
    expect(
      churnOf({ today: 100, daysByDevice: new Map([['s', [72, 79, 86, 93]]]), quietDevices: new Set() }),
    ).toEqual({ risk: 0, reason: 'none' });
    // Silence 10 against a weekly gap: ratio 10/7, risk (10/7 − 1)/3 = 0.1428… → 0.14, no habit broken (≤ 2×).
    expect(
      churnOf({ today: 103, daysByDevice: new Map([['s', [72, 79, 86, 93]]]), quietDevices: new Set() }),
    ).toEqual({ risk: 0.14, reason: 'none' });
    expect(churnOf({ today: 400, daysByDevice: new Map([['s', [1, 2]]]), quietDevices: new Set() })).toEqual({
      risk: 0,
      reason: 'none',
    });
  });

  it('calls stopped weekly weigh-ins a rhythm break while daily BP goes on', () => {
    // Scale: gap 7, silent 28 days (ratio 4, broken). Cuff: daily up to today. Person: median gap 4, silent 0.
    const daysByDevice = new Map([
      ['scale', weekly],
      ['cuff', range(90, 100)],
    ]);
    expect(churnOf({ today: 100, daysByDevice, quietDevices: new Set() })).toEqual({
      risk: 0.5,
      reason: 'rhythm_break',
    });
    // The scale's battery is flat: the data stopped, not the habit.
    expect(churnOf({ today: 100, daysByDevice, quietDevices: new Set(['scale']) })).toEqual({
      risk: 0,
      reason: 'silent_device',
    });
  });

  it('tells a silent device from a lapsed person on the same days', () => {
    // Both devices stopped on day 72; person's median gap 1, silent 28 days.
    const daysByDevice = new Map([
      ['scale', weekly],
      ['cuff', range(60, 72)],
    ]);
    expect(churnOf({ today: 100, daysByDevice, quietDevices: new Set() })).toEqual({
      risk: 1,
      reason: 'lapsed',
    });
    expect(churnOf({ today: 100, daysByDevice, quietDevices: new Set(['scale']) })).toEqual({
      risk: 1,
      reason: 'lapsed',
    });
    // Both went quiet with the gateway that serves them.
    expect(churnOf({ today: 100, daysByDevice, quietDevices: new Set(['scale', 'cuff']) })).toEqual({
      risk: 0,
      reason: 'silent_device',
    });
  });
});
