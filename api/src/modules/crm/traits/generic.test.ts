import { describe, expect, it } from 'vitest';
import { readingsIn, readingsTotal, topMetric } from './generic.js';
import { deviceKindOf } from './kinds.js';

const rows = [
  { day: 100, metric: 'blood_pressure', readings: 3 },
  { day: 80, metric: 'body_weight', readings: 2 },
  { day: 75, metric: 'body_weight', readings: 2 },
  { day: 20, metric: 'blood_pressure', readings: 9 },
  { day: 5, metric: 'heart_rate', readings: 50 },
];

describe('generic traits', () => {
  it('counts readings in 30 days and in total', () => {
    expect(readingsIn(rows, 100, 30)).toBe(7); // days 71…100: 3 + 2 + 2
    expect(readingsTotal(rows)).toBe(66);
  });

  it('finds the most frequent metric in 90 days, ties alphabetical', () => {
    // Days 11…100: blood_pressure 12, body_weight 4; heart_rate's 50 are older.
    expect(topMetric(rows, 100)).toBe('blood_pressure');
    expect(
      topMetric(
        [
          { day: 1, metric: 'spo2', readings: 2 },
          { day: 1, metric: 'body_weight', readings: 2 },
        ],
        1,
      ),
    ).toBe('body_weight');
    expect(topMetric([], 1)).toBeNull();
  });

  it('knows a device kind by its profile, else by the metrics it reports', () => {
    expect(deviceKindOf('bp_cuff')).toBe('cuff');
    expect(deviceKindOf('wristband')).toBe('band');
    expect(deviceKindOf('unknown', ['heart_rate', 'blood_pressure'])).toBe('cuff');
    expect(deviceKindOf(null, ['heart_rate'])).toBe('band');
    expect(deviceKindOf('unknown', [])).toBeNull();
  });
});
