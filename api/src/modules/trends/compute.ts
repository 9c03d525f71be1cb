import {
  addPiece,
  addPoint,
  emptyStats,
  HOUR_MS,
  ROLLED_UP,
  type TrendMetric,
  type TrendSource,
  type ValueStats,
} from '@linkwell/firmware-protocol';
import { mergeInto, type SourcePoint, statsOfPoints, windowIndex } from './reconcile.js';
import { pieceOf, type TrendStore } from './store.js';
import { isWholeDay, type TrendWindow, type WindowSpec } from './window.js';

export type StoreName = 'raw' | 'rollup_1h' | 'rollup_1d';

export interface ComputeOptions {
  store: TrendStore;
  metric: TrendMetric;
  accounts: readonly string[];
  windows: readonly TrendWindow[];
  spec: WindowSpec;
  /**
   * Rollups are read only after the worker's first build, with the journal cursor it last reached.
   * `dayRows` says whether a daily window is a civil day the worker rolls up for this person (their own zone
   * then, not cut by a zone change, and not in a zone change the worker has yet to redo).
   */
  rollups: { cursorMs: number; dayRows: (w: TrendWindow) => boolean } | null;
  /**
   * Whether statistics of several sources are merged into one window (merged=false): percentiles then
   * need every row's histogram. Otherwise a window is one 1d row per source and the row's own percentiles do.
   */
  mergesSources: boolean;
}

export interface Computed {
  /** Continuous metrics: per trend field, per source, per window. */
  perSource: Map<string, Map<string, ValueStats[]>>;
  /** Spot metrics: every stored reading in the range, normalised to the trend's field names. */
  points: SourcePoint[];
  /** Default rank of each source: the position of its stored series in the field's `sources`. */
  defaultRank: Map<string, number>;
  /** Which stores answered, per stored series (`heart_rate.bpm`, `blood_pressure.pulse`, …). */
  stores: Map<string, Set<StoreName>>;
}

/** Appends in place: grouping half a million points must not copy an array per point. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Turns the distinct minutes seen into a count, so merging another series adds to it instead of uniting. */
function sealMinutes(s: ValueStats): ValueStats {
  s.minutesMerged += s.minuteSet.size;
  s.minuteSet.clear();
  return s;
}

const isRolled = (s: TrendSource) => (ROLLED_UP[s.measurement] ?? []).includes(s.field);

function sourceStats(map: Map<string, ValueStats[]>, source: string, n: number): ValueStats[] {
  let s = map.get(source);
  if (s === undefined) {
    s = Array.from({ length: n }, emptyStats);
    map.set(source, s);
  }
  return s;
}

/** Merges intervals that touch or are close (gap ≤ `joinMs`) into spans, one query per span. */
function runs<T extends { s: number; e: number }>(
  parts: readonly T[],
  joinMs: number,
): { s: number; e: number }[] {
  const sorted = [...parts].sort((x, y) => x.s - y.s);
  const out: { s: number; e: number }[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (last !== undefined && p.s - last.e <= joinMs) last.e = Math.max(last.e, p.e);
    else out.push({ s: p.s, e: p.e });
  }
  return out;
}

/**
 * One rolled-up series over the windows, reading the coarsest clean store for each part of each window:
 * a whole civil day from its 1d row, whole UTC hours from 1h rows, and the rest (window edges, hours the
 * journal marks as not yet rolled up) from raw points. Every part is read once, so statistics equal raw.
 * The journal and the first rollup read go out together; later reads are one query per run of adjacent parts.
 */
async function rolledSeries(
  o: ComputeOptions,
  src: TrendSource,
  rollups: NonNullable<ComputeOptions['rollups']>,
  stores: Set<StoreName>,
): Promise<Map<string, ValueStats[]>> {
  const { store, accounts, windows } = o;
  const { cursorMs } = rollups;
  const n = windows.length;
  const out = new Map<string, ValueStats[]>();
  const covered = new Array<boolean>(n).fill(false);
  const wholeDays =
    o.spec.kind === 'daily'
      ? windows.map((_, i) => i).filter((i) => isWholeDay(windows[i]!) && rollups.dayRows(windows[i]!))
      : [];
  const hourSpan = (w: TrendWindow) => ({
    s: Math.ceil(w.startMs / HOUR_MS) * HOUR_MS,
    e: Math.floor(w.endMs / HOUR_MS) * HOUR_MS,
  });
  // Fixed windows of whole hours: all their 1h rows in one read, alongside the journal.
  const eagerHours =
    o.spec.kind === 'fixed' ? { s: hourSpan(windows[0]!).s, e: hourSpan(windows.at(-1)!).e } : null;
  const [dirtyList, dayRows, eagerHourRows] = await Promise.all([
    store.dirtyHours(src.measurement, accounts, cursorMs).then((h) => [...h]),
    wholeDays.length > 0
      ? store.rollups(
          src.measurement,
          '1d',
          accounts,
          windows[wholeDays[0]!]!.startMs,
          windows[wholeDays.at(-1)!]!.endMs,
          o.mergesSources ? undefined : [src.field],
        )
      : Promise.resolve([]),
    eagerHours !== null && eagerHours.e > eagerHours.s
      ? store.rollups(src.measurement, '1h', accounts, eagerHours.s, eagerHours.e)
      : Promise.resolve([]),
  ]);
  const dirty = new Set(dirtyList);
  const isDirty = (s: number, e: number) => dirtyList.some((h) => h < e && h + HOUR_MS > s);

  if (wholeDays.length > 0) {
    const byStart = new Map<number, typeof dayRows>();
    for (const r of dayRows) pushTo(byStart, r.startMs, r);
    for (const i of wholeDays) {
      const w = windows[i]!;
      if (isDirty(w.startMs, w.endMs)) continue;
      const rows = byStart.get(w.startMs) ?? [];
      const mine = rows.filter((r) => r.zone === w.day!.zone);
      // A row written for another zone (a change the worker has not redone) sends the day to finer stores.
      if (rows.length > mine.length) continue;
      covered[i] = true;
      for (const r of mine) {
        const p = pieceOf(src.field, r, w.endMs);
        if (p !== undefined) addPiece(sourceStats(out, r.source, n)[i]!, p);
      }
    }
    if (covered.some(Boolean)) stores.add('rollup_1d');
  }

  // For the rest: whole clean hours from 1h rows, everything else from raw.
  const rawParts: { i: number; s: number; e: number }[] = [];
  const hourParts: { i: number; s: number; e: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (covered[i]) continue;
    const w = windows[i]!;
    const { s: hs, e: he } = hourSpan(w);
    if (he <= hs) {
      rawParts.push({ i, s: w.startMs, e: w.endMs });
      continue;
    }
    if (w.startMs < hs) rawParts.push({ i, s: w.startMs, e: hs });
    if (he < w.endMs) rawParts.push({ i, s: he, e: w.endMs });
    hourParts.push({ i, s: hs, e: he });
    for (const h of dirtyList) if (h >= hs && h < he) rawParts.push({ i, s: h, e: h + HOUR_MS });
  }
  const addRows = (rows: Awaited<ReturnType<TrendStore['rollups']>>) => {
    for (const r of rows) {
      if (dirty.has(r.startMs)) continue;
      const i = windowIndex(windows, r.startMs);
      if (i < 0 || covered[i]) continue;
      const p = pieceOf(src.field, r, r.startMs + HOUR_MS);
      if (p !== undefined) addPiece(sourceStats(out, r.source, n)[i]!, p);
    }
  };
  const reads: Promise<void>[] = [];
  if (hourParts.length > 0) {
    stores.add('rollup_1h');
    if (eagerHours !== null) addRows(eagerHourRows);
    else
      for (const run of runs(hourParts, 0))
        reads.push(store.rollups(src.measurement, '1h', accounts, run.s, run.e).then(addRows));
  }
  if (rawParts.length > 0) {
    stores.add('raw');
    const parts = new Map<number, { s: number; e: number }[]>();
    for (const p of rawParts) pushTo(parts, p.i, p);
    // Runs closer than an hour share a query: one query is cheaper than two tiny ones.
    for (const run of runs(rawParts, HOUR_MS))
      reads.push(
        store.raw(src.measurement, [src.field], accounts, run.s, run.e).then((points) => {
          for (const pt of points) {
            const i = windowIndex(windows, pt.t);
            if (i < 0 || !(parts.get(i) ?? []).some((p) => pt.t >= p.s && pt.t < p.e)) continue;
            const v = pt.values[src.field];
            if (v !== undefined) addPoint(sourceStats(out, pt.source, n)[i]!, pt.t, v);
          }
        }),
      );
  }
  await Promise.all(reads);
  return out;
}

/** Rolled-up stores help only when windows are whole hours or civil days; finer windows read raw. */
function rollupsHelp(spec: WindowSpec): boolean {
  return spec.kind === 'daily' || spec.ms % HOUR_MS === 0;
}

export async function computeTrend(o: ComputeOptions): Promise<Computed> {
  const { store, metric, accounts, windows } = o;
  const n = windows.length;
  const stores = new Map<string, Set<StoreName>>();
  const storesOf = (series: string) => {
    if (!stores.has(series)) stores.set(series, new Set());
    return stores.get(series)!;
  };
  const defaultRank = new Map<string, number>();
  const perSource = new Map<string, Map<string, ValueStats[]>>();
  const points: SourcePoint[] = [];
  const from = windows[0]?.startMs ?? 0;
  const to = windows.at(-1)?.endMs ?? 0;
  if (n === 0) return { perSource, points, defaultRank, stores };

  // Rolled-up series read their stores; the rest is one raw query per stored measurement. All at once.
  const rawFields = new Map<string, { field: string; as: string; rank: number }[]>();
  const reads: Promise<void>[] = [];
  for (const f of metric.fields) {
    const bySource = new Map<string, ValueStats[]>();
    perSource.set(f.name, bySource);
    for (const [rank, src] of f.sources.entries()) {
      if (metric.kind === 'continuous' && o.rollups !== null && isRolled(src) && rollupsHelp(o.spec)) {
        const rollups = o.rollups;
        reads.push(
          rolledSeries(o, src, rollups, storesOf(`${src.measurement}.${src.field}`)).then((got) => {
            for (const [source, stats] of got) {
              if (!defaultRank.has(source) || defaultRank.get(source)! > rank) defaultRank.set(source, rank);
              const mine = sourceStats(bySource, source, n);
              stats.forEach((s, i) => {
                mergeInto(mine[i]!, sealMinutes(s));
              });
            }
          }),
        );
        continue;
      }
      rawFields.set(src.measurement, [
        ...(rawFields.get(src.measurement) ?? []),
        { field: src.field, as: f.name, rank },
      ]);
    }
  }
  for (const [measurement, wanted] of rawFields) {
    const fields = [...new Set(wanted.map((w) => w.field))];
    for (const f of fields) storesOf(`${measurement}.${f}`).add('raw');
    reads.push(
      store.raw(measurement, fields, accounts, from, to).then((rows) => {
        for (const r of rows) {
          const values: Record<string, number> = {};
          for (const w of wanted) {
            const v = r.values[w.field];
            if (v !== undefined) values[w.as] = v;
            if (!defaultRank.has(r.source) || defaultRank.get(r.source)! > w.rank)
              defaultRank.set(r.source, w.rank);
          }
          if (Object.keys(values).length > 0)
            points.push({ t: r.t, source: r.source, series: measurement, values, quality: r.quality });
        }
      }),
    );
  }
  await Promise.all(reads);
  points.sort((a, b) => a.t - b.t);
  if (metric.kind === 'continuous' && points.length > 0) {
    // Raw-read series of a continuous metric (e.g. the cuff's pulse beside the band) join per source, one
    // series at a time: a device feeding two series counts the minutes of each (as rollups, which keep
    // minute counts, must), so both stores give the same coverage.
    const bySeries = new Map<string, SourcePoint[]>();
    for (const p of points) pushTo(bySeries, `${p.source}\n${p.series}`, p);
    for (const pts of bySeries.values()) {
      const source = pts[0]!.source;
      const stats = statsOfPoints(
        metric.fields.map((f) => f.name),
        windows,
        pts,
      );
      for (const f of metric.fields) {
        const mine = sourceStats(perSource.get(f.name)!, source, n);
        stats[f.name]!.forEach((s, i) => {
          mergeInto(mine[i]!, sealMinutes(s));
        });
      }
    }
  }
  return { perSource, points, defaultRank, stores };
}
