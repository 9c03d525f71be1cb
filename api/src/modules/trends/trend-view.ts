import { type StatsSummary, summarize, type TrendMetric, type ValueStats } from '@linkwell/firmware-protocol';
import type { WindowVerdict } from './reconcile.js';
import { convert, type UnitPrefs } from './units.js';
import type { TrendWindow } from './window.js';

const DAY_MS = 86_400_000;

export type FieldSummary = Omit<StatsSummary, 'minutes'>;

export interface WindowView {
  start: string;
  end: string;
  date?: string;
  time_zone?: string;
  hours: number;
  empty: boolean;
  count: number;
  coverage: number;
  winning_source: string | null;
  sources: string[];
  suppressed_sources: string[];
  values: Record<string, FieldSummary | null>;
}

/**
 * Coverage: continuous metrics, the share of the window's minutes with a value; spot metrics, the share of
 * its 24-hour slots (counted from the window's start) with a reading. Either way 0 means no data at all.
 */
export function coverageOf(kind: TrendMetric['kind'], w: TrendWindow, s: ValueStats | undefined): number {
  if (s === undefined || s.count === 0) return 0;
  const length = w.endMs - w.startMs;
  if (kind === 'continuous') {
    const minutes = s.minuteSet.size + s.minutesMerged;
    return Math.min(1, (minutes * 60_000) / length);
  }
  const slots = new Set([...s.minuteSet].map((m) => Math.floor((m * 60_000 - w.startMs) / DAY_MS)));
  return Math.min(1, slots.size / Math.ceil(length / DAY_MS));
}

function converted(
  s: StatsSummary,
  dimension: TrendMetric['fields'][number]['dimension'],
  prefs: UnitPrefs,
): FieldSummary {
  const c = (v: number) => convert(v, dimension, prefs);
  return {
    count: s.count,
    min: c(s.min),
    max: c(s.max),
    mean: c(s.mean),
    first: c(s.first),
    last: c(s.last),
    p10: c(s.p10),
    median: c(s.median),
    p90: c(s.p90),
  };
}

/** The windows as the API returns them: per field summaries in the requested units, with verdicts. */
export function windowViews(
  metric: TrendMetric,
  windows: readonly TrendWindow[],
  perField: ReadonlyMap<string, readonly ValueStats[]>,
  verdicts: readonly WindowVerdict[],
  prefs: UnitPrefs,
  /** Per window, instead of the primary field's own coverage (e.g. the best source's when merged=false). */
  coverage?: readonly number[],
): WindowView[] {
  const primary = metric.fields[0]!.name;
  return windows.map((w, i) => {
    const values: Record<string, FieldSummary | null> = {};
    for (const f of metric.fields) {
      const stats = perField.get(f.name)?.[i];
      const s = stats === undefined ? undefined : summarize(stats);
      values[f.name] = s === undefined ? null : converted(s, f.dimension, prefs);
    }
    const main = perField.get(primary)?.[i];
    const count = main?.count ?? 0;
    const v = verdicts[i] ?? { winning_source: null, sources: [], suppressed_sources: [] };
    return {
      start: new Date(w.startMs).toISOString(),
      end: new Date(w.endMs).toISOString(),
      ...(w.day ? { date: w.day.date, time_zone: w.day.zone } : {}),
      hours: (w.endMs - w.startMs) / 3_600_000,
      empty: count === 0,
      count,
      coverage: coverage?.[i] ?? coverageOf(metric.kind, w, main),
      winning_source: v.winning_source,
      sources: v.sources,
      suppressed_sources: v.suppressed_sources,
      values,
    };
  });
}
