import type { TrendMetric } from '@linkwell/firmware-protocol';
import { addPoint, emptyStats, mergeStats, type ValueStats } from '@linkwell/firmware-protocol';
import type { TrendWindow } from './window.js';

/** A reading normalised to the trend's field names, from whichever stored series it came. */
export interface SourcePoint {
  t: number;
  source: string;
  /** The stored measurement it came from. */
  series?: string;
  values: Record<string, number>;
  quality: string | null;
}

/** Per window: whose data the window shows and whose it set aside (docs/trends.md "Reconciliation"). */
export interface WindowVerdict {
  winning_source: string | null;
  sources: string[];
  suppressed_sources: string[];
}

/** Orders sources: the person's list first, then the rest by their default rank, then by id. */
export function rankSources(
  seen: Iterable<string>,
  chosen: readonly string[],
  defaultRank: (source: string) => number,
): string[] {
  const rest = [...new Set(seen)].filter((s) => !chosen.includes(s));
  rest.sort((a, b) => defaultRank(a) - defaultRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return [...chosen, ...rest];
}

/** Index of the window holding t, by binary search over sorted, disjoint windows; -1 when none. */
export function windowIndex(windows: readonly TrendWindow[], t: number): number {
  let lo = 0;
  let hi = windows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = windows[mid]!;
    if (t < w.startMs) hi = mid - 1;
    else if (t >= w.endMs) lo = mid + 1;
    else return mid;
  }
  return -1;
}

function isDuplicate(metric: TrendMetric, a: SourcePoint, b: SourcePoint): boolean {
  if (Math.abs(a.t - b.t) > metric.duplicateTimeMs) return false;
  for (const key of metric.duplicateKeys) {
    const x = a.values[key];
    const y = b.values[key];
    if (x === undefined || y === undefined) return false;
    const within = metric.fields.find((f) => f.name === key)?.duplicateWithin ?? 0;
    if (Math.abs(x - y) > within) return false;
  }
  return true;
}

/**
 * Spot readings from several sources: a reading that another, higher-priority source also took (within
 * the metric's time and value tolerance) is set aside. Returns the kept and the suppressed readings.
 */
export function dedupeSpot(
  metric: TrendMetric,
  points: readonly SourcePoint[],
  order: readonly string[],
): { kept: SourcePoint[]; suppressed: SourcePoint[] } {
  const rank = new Map(order.map((s, i) => [s, i]));
  const byPriority = [...points].sort(
    (a, b) => (rank.get(a.source) ?? order.length) - (rank.get(b.source) ?? order.length) || a.t - b.t,
  );
  const kept: SourcePoint[] = [];
  const suppressed: SourcePoint[] = [];
  // Kept readings by time slot of the tolerance's width: a duplicate can only sit in this slot or the two
  // next to it, so each reading is compared with a handful, not with every reading kept so far.
  const slot = (t: number) => Math.floor(t / Math.max(1, metric.duplicateTimeMs));
  const bySlot = new Map<number, SourcePoint[]>();
  for (const p of byPriority) {
    const k = slot(p.t);
    const near = [k - 1, k, k + 1].flatMap((s) => bySlot.get(s) ?? []);
    const dup = near.some((q) => q.source !== p.source && isDuplicate(metric, q, p));
    if (dup) suppressed.push(p);
    else {
      kept.push(p);
      const list = bySlot.get(k);
      if (list === undefined) bySlot.set(k, [p]);
      else list.push(p);
    }
  }
  kept.sort((a, b) => a.t - b.t);
  return { kept, suppressed };
}

/** Per field, per window statistics of a set of points. */
export function statsOfPoints(
  fields: readonly string[],
  windows: readonly TrendWindow[],
  points: readonly SourcePoint[],
): Record<string, ValueStats[]> {
  const out: Record<string, ValueStats[]> = {};
  for (const f of fields) out[f] = windows.map(() => emptyStats());
  for (const p of points) {
    const i = windowIndex(windows, p.t);
    if (i < 0) continue;
    for (const f of fields) {
      const v = p.values[f];
      if (v !== undefined) addPoint(out[f]![i]!, p.t, v);
    }
  }
  return out;
}

/** Which sources had points in each window. */
export function sourcesPerWindow(
  windows: readonly TrendWindow[],
  points: readonly SourcePoint[],
): Set<string>[] {
  const out = windows.map(() => new Set<string>());
  for (const p of points) {
    const i = windowIndex(windows, p.t);
    if (i >= 0) out[i]!.add(p.source);
  }
  return out;
}

/** Merges b into a (both over the same window): firmware-protocol's mergeStats, one rule for ties. */
export const mergeInto = mergeStats;

/**
 * Continuous metrics: each window shows the highest-priority source that has data in it; the others with
 * data there are suppressed for that window (their data stays stored and visible with merged=false).
 */
export function pickPerWindow(
  perSource: ReadonlyMap<string, ValueStats[]>,
  order: readonly string[],
  windowCount: number,
): { stats: ValueStats[]; verdicts: WindowVerdict[] } {
  const stats: ValueStats[] = [];
  const verdicts: WindowVerdict[] = [];
  for (let i = 0; i < windowCount; i++) {
    const present = order.filter((s) => (perSource.get(s)?.[i]?.count ?? 0) > 0);
    const winner = present[0] ?? null;
    stats.push(winner === null ? emptyStats() : perSource.get(winner)![i]!);
    verdicts.push({
      winning_source: winner,
      sources: winner === null ? [] : [winner],
      suppressed_sources: present.slice(1),
    });
  }
  return { stats, verdicts };
}
