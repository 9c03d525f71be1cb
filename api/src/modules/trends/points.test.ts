import { describe, expect, it } from 'vitest';
import { toTrendPoints } from './points.js';

describe('toTrendPoints', () => {
  it('maps epoch-ms rows to ISO points sorted by time and drops zero-count buckets', () => {
    const series = [
      {
        name: 'heart_rate',
        columns: ['time', 'count', 'mean', 'min', 'max'],
        values: [
          [1_704_070_800_000, 1, 100, 100, 100],
          [1_704_067_200_000, 3, 70, 60, 80],
          [1_704_074_400_000, 0, null, null, null],
        ],
      },
    ];
    expect(toTrendPoints(series)).toEqual([
      { t: '2024-01-01T00:00:00.000Z', count: 3, mean: 70, min: 60, max: 80 },
      { t: '2024-01-01T01:00:00.000Z', count: 1, mean: 100, min: 100, max: 100 },
    ]);
  });

  it('reads columns by name when InfluxDB orders them differently', () => {
    const series = [
      { name: 'heart_rate', columns: ['time', 'max', 'min', 'mean', 'count'], values: [[0, 9, 1, 5, 2]] },
    ];
    expect(toTrendPoints(series)).toEqual([
      { t: '1970-01-01T00:00:00.000Z', count: 2, mean: 5, min: 1, max: 9 },
    ]);
  });

  it('returns no points for no series', () => {
    expect(toTrendPoints([])).toEqual([]);
  });
});
