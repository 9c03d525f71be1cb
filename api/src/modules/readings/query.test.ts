import { RAW_MEASUREMENTS, ROLLUP_JOURNAL, rollupMeasurement } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { readingsQuery } from './query.js';

describe('readingsQuery without a metric', () => {
  const q = readingsQuery({ metric: undefined, accounts: ['acct_a'], fromMs: 0, toMs: 1000, limit: 10 });
  const regex = new RegExp(q.match(/FROM \/(.*)\/ WHERE/)![1]!);

  it('matches every raw catalog measurement', () => {
    for (const m of RAW_MEASUREMENTS) expect(regex.test(m)).toBe(true);
  });

  it('matches neither rollups nor the rollup journal kept in the same database', () => {
    expect(regex.test(rollupMeasurement('heart_rate', '1h'))).toBe(false);
    expect(regex.test(rollupMeasurement('spo2', '1d'))).toBe(false);
    expect(regex.test(ROLLUP_JOURNAL.measurement)).toBe(false);
  });

  it('is built from names that need no regex escaping', () => {
    for (const m of RAW_MEASUREMENTS) expect(m).toMatch(/^[a-z0-9_]+$/);
  });
});
