import { ApiError } from '../../errors.js';
import { type Duration, parseDuration } from '../../influx/influxql.js';

const DAY_MS = 86_400_000;

/** Bounds that keep one trends query cheap for InfluxDB and the response small. */
export const TREND_LIMITS = Object.freeze({
  maxRangeMs: 400 * DAY_MS,
  maxBuckets: 10_000,
  minWindowMs: 1000,
});

export interface TimeRange {
  fromMs: number;
  toMs: number;
  window: Duration;
}

function badRange(message: string, details: Record<string, unknown>): ApiError {
  return new ApiError('API_ERR_BAD_TIME_RANGE', message, details);
}

function parseInstant(field: 'from' | 'to', text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms < 0) {
    throw new ApiError(
      'API_ERR_VALIDATION',
      `Invalid querystring.${field}: not an ISO 8601 date-time after 1970.`,
      {
        field: `querystring.${field}`,
        issues: [{ field: `querystring.${field}`, problem: 'not an ISO 8601 date-time after 1970' }],
      },
    );
  }
  return ms;
}

/**
 * Checks a trends request beyond what its schema can say: from < to, range and window within limits,
 * and at most maxBuckets buckets. Buckets are counted as ceil(range / window).
 */
export function resolveTimeRange(from: string, to: string, window: string): TimeRange {
  const fromMs = parseInstant('from', from);
  const toMs = parseInstant('to', to);
  const duration = parseDuration(window);
  if (duration === undefined) {
    throw new ApiError(
      'API_ERR_VALIDATION',
      'Invalid querystring.window: expected a duration like 30s, 5m, 1h or 7d.',
      {
        field: 'querystring.window',
        issues: [{ field: 'querystring.window', problem: 'expected a duration like 30s, 5m, 1h or 7d' }],
      },
    );
  }
  if (fromMs >= toMs) {
    throw badRange(`from (${from}) must be before to (${to}).`, { from, to });
  }
  if (toMs - fromMs > TREND_LIMITS.maxRangeMs) {
    throw badRange(`The range from ${from} to ${to} is longer than 400 days.`, {
      from,
      to,
      maxRangeDays: TREND_LIMITS.maxRangeMs / DAY_MS,
    });
  }
  // Unreachable through the route pattern (min 1s) but kept so the bound lives next to the others.
  if (duration.ms < TREND_LIMITS.minWindowMs) {
    throw badRange(`The window ${window} is shorter than 1s.`, { window });
  }
  if (duration.ms > TREND_LIMITS.maxRangeMs) {
    throw badRange(`The window ${window} is longer than 400 days.`, { window });
  }
  const buckets = Math.ceil((toMs - fromMs) / duration.ms);
  if (buckets > TREND_LIMITS.maxBuckets) {
    throw badRange(
      `A ${window} window over this range gives ${buckets} buckets; at most ${TREND_LIMITS.maxBuckets} are allowed. Use a wider window or a shorter range.`,
      { window, buckets, maxBuckets: TREND_LIMITS.maxBuckets },
    );
  }
  return { fromMs, toMs, window: duration };
}
