import { describe, expect, it } from 'vitest';
import { ApiError } from '../../errors.js';
import { resolveTimeRange } from './time-range.js';

function errorOf(fn: () => unknown): { code: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('resolveTimeRange', () => {
  it('resolves one day in 1h windows to epoch ms and a 3 600 000 ms window', () => {
    expect(resolveTimeRange('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '1h')).toEqual({
      fromMs: 1_704_067_200_000,
      toMs: 1_704_153_600_000,
      window: { literal: '1h', ms: 3_600_000 },
    });
  });

  it('honours a +02:00 offset in from', () => {
    expect(resolveTimeRange('2024-01-01T02:00:00+02:00', '2024-01-01T01:00:00Z', '1m').fromMs).toBe(
      1_704_067_200_000,
    );
  });

  it('rejects from equal to to with API_ERR_BAD_TIME_RANGE', () => {
    expect(errorOf(() => resolveTimeRange('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '1h'))).toEqual({
      code: 'API_ERR_BAD_TIME_RANGE',
      details: { from: '2024-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' },
    });
  });

  it('rejects a 401-day range with API_ERR_BAD_TIME_RANGE', () => {
    expect(errorOf(() => resolveTimeRange('2023-01-01T00:00:00Z', '2024-02-06T00:00:00Z', '1d'))).toEqual({
      code: 'API_ERR_BAD_TIME_RANGE',
      details: { from: '2023-01-01T00:00:00Z', to: '2024-02-06T00:00:00Z', maxRangeDays: 400 },
    });
  });

  it('accepts exactly 10 000 one-second buckets', () => {
    expect(resolveTimeRange('2024-01-01T00:00:00Z', '2024-01-01T02:46:40Z', '1s').toMs).toBe(
      1_704_077_200_000,
    );
  });

  it('rejects 10 001 one-second buckets with API_ERR_BAD_TIME_RANGE', () => {
    expect(errorOf(() => resolveTimeRange('2024-01-01T00:00:00Z', '2024-01-01T02:46:41Z', '1s'))).toEqual({
      code: 'API_ERR_BAD_TIME_RANGE',
      details: { window: '1s', buckets: 10_001, maxBuckets: 10_000 },
    });
  });

  it('rejects a 401d window with API_ERR_BAD_TIME_RANGE', () => {
    expect(errorOf(() => resolveTimeRange('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '401d')).code).toBe(
      'API_ERR_BAD_TIME_RANGE',
    );
  });

  it('rejects the window 5x with API_ERR_VALIDATION naming querystring.window', () => {
    expect(errorOf(() => resolveTimeRange('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '5x'))).toEqual({
      code: 'API_ERR_VALIDATION',
      details: {
        field: 'querystring.window',
        issues: [{ field: 'querystring.window', problem: 'expected a duration like 30s, 5m, 1h or 7d' }],
      },
    });
  });

  it('rejects from "yesterday" with API_ERR_VALIDATION naming querystring.from', () => {
    expect(errorOf(() => resolveTimeRange('yesterday', '2024-01-02T00:00:00Z', '1h'))).toEqual({
      code: 'API_ERR_VALIDATION',
      details: {
        field: 'querystring.from',
        issues: [{ field: 'querystring.from', problem: 'not an ISO 8601 date-time after 1970' }],
      },
    });
  });
});
