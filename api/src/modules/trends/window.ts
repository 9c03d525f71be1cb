import { type CivilDay, civilDays, isWholeCivilDay, type ZoneSpan } from '@linkwell/firmware-protocol';
import { Duration } from 'luxon';
import { ApiError } from '../../errors.js';
import { parseDuration } from '../../influx/influxql.js';

const DAY_MS = 86_400_000;

/** Bounds that keep one trends query cheap for InfluxDB and the response small. */
export const TREND_LIMITS = Object.freeze({
  maxRangeMs: 400 * DAY_MS,
  maxWindows: 10_000,
  minWindowMs: 1000,
  defaultRangeMs: 7 * DAY_MS,
});

export type WindowSpec = { kind: 'fixed'; ms: number; literal: string } | { kind: 'daily' };

/** One output window: [startMs, endMs) after clipping to the range; civil days carry their date and zone. */
export interface TrendWindow {
  startMs: number;
  endMs: number;
  /** Start of the unclipped fixed window (epoch-aligned), for the legacy `points[].t`. */
  alignedMs: number;
  day?: CivilDay;
}

function validation(field: string, problem: string): ApiError {
  return new ApiError('API_ERR_VALIDATION', `Invalid querystring.${field}: ${problem}.`, {
    field: `querystring.${field}`,
    issues: [{ field: `querystring.${field}`, problem }],
  });
}

/**
 * `daily`, an ISO 8601 duration of whole seconds without years or months (PT1S … P400D, e.g. PT15M, P7D),
 * or the older `5m` form. Months and years have no fixed length, so they are refused rather than guessed.
 */
export function parseWindow(text: string): WindowSpec {
  if (text === 'daily') return { kind: 'daily' };
  const legacy = parseDuration(text);
  if (legacy !== undefined) return { kind: 'fixed', ms: legacy.ms, literal: text };
  const problem = 'expected daily or an ISO 8601 duration such as PT1H, P1D or P7D';
  if (!/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(text))
    throw validation('window', problem);
  const d = Duration.fromISO(text);
  const ms = d.isValid ? d.as('milliseconds') : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms % 1000 !== 0) throw validation('window', problem);
  if (ms < TREND_LIMITS.minWindowMs)
    throw new ApiError('API_ERR_WINDOW_TOO_FINE', `The window ${text} is shorter than 1 second.`, {
      window: text,
      min_window: 'PT1S',
    });
  return { kind: 'fixed', ms, literal: text };
}

function instant(field: 'from' | 'to', text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms < 0) throw validation(field, 'not an ISO 8601 date-time after 1970');
  return ms;
}

/** An ISO 8601 duration for `ms`, e.g. PT52M34S, used to tell a caller the finest window allowed. */
export function isoDuration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${sec ? `${sec}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}` || 'PT0S';
}

export interface ResolvedRange {
  fromMs: number;
  toMs: number;
}

/** from/to with defaults (the 7 days up to now), ordered and at most 400 days apart. */
export function resolveRange(from: string | undefined, to: string | undefined, now: number): ResolvedRange {
  const toMs = to === undefined ? now : instant('to', to);
  const fromMs = from === undefined ? Math.max(0, toMs - TREND_LIMITS.defaultRangeMs) : instant('from', from);
  // A bound left to its default is named by the instant it took, not as "undefined".
  const fromText = from ?? new Date(fromMs).toISOString();
  const toText = to ?? new Date(toMs).toISOString();
  if (fromMs >= toMs)
    throw new ApiError('API_ERR_BAD_TIME_RANGE', `from (${fromText}) must be before to (${toText}).`, {
      from: fromText,
      to: toText,
    });
  if (toMs - fromMs > TREND_LIMITS.maxRangeMs)
    throw new ApiError(
      'API_ERR_BAD_TIME_RANGE',
      `The range from ${fromText} to ${toText} is longer than 400 days.`,
      { from: fromText, to: toText, maxRangeDays: TREND_LIMITS.maxRangeMs / DAY_MS },
    );
  return { fromMs, toMs };
}

/**
 * The windows of a request. Fixed windows start at multiples of their length since the epoch (as InfluxDB
 * aligns GROUP BY time) and are clipped to the range; daily windows are the person's civil days.
 */
export function buildWindows(
  range: ResolvedRange,
  spec: WindowSpec,
  zones: readonly ZoneSpan[],
): TrendWindow[] {
  const { fromMs, toMs } = range;
  if (spec.kind === 'daily')
    return civilDays(fromMs, toMs, zones).map((day) => ({
      startMs: day.startMs,
      endMs: day.endMs,
      alignedMs: day.startMs,
      day,
    }));
  if (spec.ms > TREND_LIMITS.maxRangeMs)
    throw new ApiError('API_ERR_BAD_TIME_RANGE', `The window ${spec.literal} is longer than 400 days.`, {
      window: spec.literal,
    });
  const first = Math.floor(fromMs / spec.ms) * spec.ms;
  const count = Math.ceil((toMs - first) / spec.ms);
  if (count > TREND_LIMITS.maxWindows) {
    const finest = Math.ceil((toMs - fromMs) / TREND_LIMITS.maxWindows / 1000) * 1000;
    throw new ApiError(
      'API_ERR_WINDOW_TOO_FINE',
      `A ${spec.literal} window over this range gives ${count} windows; at most ${TREND_LIMITS.maxWindows} are allowed. Use a window of at least ${isoDuration(finest)} or a shorter range.`,
      {
        window: spec.literal,
        windows: count,
        max_windows: TREND_LIMITS.maxWindows,
        min_window: isoDuration(finest),
      },
    );
  }
  const out: TrendWindow[] = [];
  for (let s = first; s < toMs; s += spec.ms)
    out.push({ startMs: Math.max(s, fromMs), endMs: Math.min(s + spec.ms, toMs), alignedMs: s });
  return out;
}

/** Whether a daily window is a whole civil day (not clipped by the range or cut by a zone change). */
export function isWholeDay(w: TrendWindow): boolean {
  return w.day !== undefined && isWholeCivilDay(w.day.date, w.day.zone, w.startMs, w.endMs);
}
