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
  /** Rollups are read only after the worker's first build, with the journal cursor it last reached. */
  rollups: { cursorMs: number } | null;
}

export interface Computed {
  /** Continuous metrics: per trend field, per source, per window. */
  perSource: Map<string, Map<string, ValueStats[]>>;
  /** Spot metrics: every stored reading in the range, normalised to the trend's field names. */
  points: SourcePoint[];
  /** Default rank of each source: the position of its stored series in the field's `sources`. */
  defaultRank: Map<string, number>;
  stores: Set<StoreName>;
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

/**
 * One rolled-up series over the windows, reading the coarsest clean store for each part of each window:
 * a whole civil day from its 1d row, whole UTC hours from 1h rows, and the rest (window edges, hours the
 * journal marks as not yet rolled up) from raw points. Every part is read once, so statistics equal raw.
 */
async function rolledSeries(
  o: ComputeOptions,
  src: TrendSource,
  cursorMs: number,
  stores: Set<StoreName>,
): Promise<Map<string, ValueStats[]>> {
  const { store, accounts, windows } = o;
  const n = windows.length;
  const out = new Map<string, ValueStats[]>();
  const dirty = [...(await store.dirtyHours(src.measurement, accounts, cursorMs))];
  const isDirty = (s: number, e: number) => dirty.some((h) => h < e && h + HOUR_MS > s);
  const covered = new Array<boolean>(n).fill(false);

  if (o.spec.kind === 'daily') {
    const days = windows
      .map((_, i) => i)
      .filter((i) => isWholeDay(windows[i]!) && !isDirty(windows[i]!.startMs, windows[i]!.endMs));
    if (days.length > 0) {
      const rows = await store.rollups(
        src.measurement,
        '1d',
        accounts,
        windows[days[0]!]!.startMs,
        windows[days.at(-1)!]!.endMs,
      );
      const byStart = new Map<number, typeof rows>();
      for (const r of rows) byStart.set(r.startMs, [...(byStart.get(r.startMs) ?? []), r]);
      for (const i of days) {
        const w = windows[i]!;
        const mine = (byStart.get(w.startMs) ?? []).filter((r) => r.zone === w.day!.zone);
        // A day whose row was written for another zone (a zone change not yet rolled up) reads finer stores.
        if (mine.length === 0 && (byStart.get(w.startMs) ?? []).length > 0) continue;
        covered[i] = true;
        for (const r of mine) {
          const p = pieceOf(src.field, r, w.endMs);
          if (p !== undefined) addPiece(sourceStats(out, r.source, n)[i]!, p);
        }
      }
      if (days.some((i) => covered[i])) stores.add('rollup_1d');
    }
  }

  // For the rest: whole clean hours from 1h rows, everything else from raw.
  const rawParts: { i: number; s: number; e: number }[] = [];
  const hourParts: { i: number; s: number; e: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (covered[i]) continue;
    const w = windows[i]!;
    const hs = Math.ceil(w.startMs / HOUR_MS) * HOUR_MS;
    const he = Math.floor(w.endMs / HOUR_MS) * HOUR_MS;
    if (he <= hs) {
      rawParts.push({ i, s: w.startMs, e: w.endMs });
      continue;
    }
    if (w.startMs < hs) rawParts.push({ i, s: w.startMs, e: hs });
    if (he < w.endMs) rawParts.push({ i, s: he, e: w.endMs });
    hourParts.push({ i, s: hs, e: he });
    for (const h of dirty) if (h >= hs && h < he) rawParts.push({ i, s: h, e: h + HOUR_MS });
  }
  if (hourParts.length > 0) {
    const rows = await store.rollups(src.measurement, '1h', accounts, hourParts[0]!.s, hourParts.at(-1)!.e);
    const dirtySet = new Set(dirty);
    for (const r of rows) {
      if (dirtySet.has(r.startMs)) continue;
      const i = windowIndex(windows, r.startMs);
      if (i < 0 || covered[i]) continue;
      const p = pieceOf(src.field, r, r.startMs + HOUR_MS);
      if (p !== undefined) addPiece(sourceStats(out, r.source, n)[i]!, p);
    }
    stores.add('rollup_1h');
  }
  if (rawParts.length > 0) {
    const from = Math.min(...rawParts.map((p) => p.s));
    const to = Math.max(...rawParts.map((p) => p.e));
    const points = await store.raw(src.measurement, [src.field], accounts, from, to);
    const parts = new Map<number, { s: number; e: number }[]>();
    for (const p of rawParts) parts.set(p.i, [...(parts.get(p.i) ?? []), p]);
    for (const pt of points) {
      const i = windowIndex(windows, pt.t);
      if (i < 0 || !(parts.get(i) ?? []).some((p) => pt.t >= p.s && pt.t < p.e)) continue;
      const v = pt.values[src.field];
      if (v !== undefined) addPoint(sourceStats(out, pt.source, n)[i]!, pt.t, v);
    }
    stores.add('raw');
  }
  return out;
}

/** Rolled-up stores help only when windows are whole hours or civil days; finer windows read raw. */
function rollupsHelp(spec: WindowSpec): boolean {
  return spec.kind === 'daily' || spec.ms % HOUR_MS === 0;
}

export async function computeTrend(o: ComputeOptions): Promise<Computed> {
  const { store, metric, accounts, windows } = o;
  const n = windows.length;
  const stores = new Set<StoreName>();
  const defaultRank = new Map<string, number>();
  const perSource = new Map<string, Map<string, ValueStats[]>>();
  const points: SourcePoint[] = [];
  const from = windows[0]?.startMs ?? 0;
  const to = windows.at(-1)?.endMs ?? 0;
  if (n === 0) return { perSource, points, defaultRank, stores };

  // One raw query per stored measurement, for the fields that are not read from rollups.
  const rawFields = new Map<string, { field: string; as: string; rank: number }[]>();
  for (const f of metric.fields) {
    const bySource = new Map<string, ValueStats[]>();
    perSource.set(f.name, bySource);
    for (const [rank, src] of f.sources.entries()) {
      if (metric.kind === 'continuous' && o.rollups !== null && isRolled(src) && rollupsHelp(o.spec)) {
        const got = await rolledSeries(o, src, o.rollups.cursorMs, stores);
        for (const [source, stats] of got) {
          if (!defaultRank.has(source)) defaultRank.set(source, rank);
          const mine = sourceStats(bySource, source, n);
          stats.forEach((s, i) => {
            mergeInto(mine[i]!, s);
          });
        }
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
    const rows = await store.raw(measurement, fields, accounts, from, to);
    stores.add('raw');
    for (const r of rows) {
      const values: Record<string, number> = {};
      for (const w of wanted) {
        const v = r.values[w.field];
        if (v !== undefined) values[w.as] = v;
        if (!defaultRank.has(r.source) || defaultRank.get(r.source)! > w.rank)
          defaultRank.set(r.source, w.rank);
      }
      if (Object.keys(values).length > 0)
        points.push({ t: r.t, source: r.source, values, quality: r.quality });
    }
  }
  points.sort((a, b) => a.t - b.t);
  if (metric.kind === 'continuous' && points.length > 0) {
    // Raw-read sources of a continuous metric (e.g. the cuff's pulse beside the band) join per source.
    const bySourcePoints = new Map<string, SourcePoint[]>();
    for (const p of points) bySourcePoints.set(p.source, [...(bySourcePoints.get(p.source) ?? []), p]);
    for (const [source, pts] of bySourcePoints) {
      const stats = statsOfPoints(
        metric.fields.map((f) => f.name),
        windows,
        pts,
      );
      for (const f of metric.fields) {
        const mine = sourceStats(perSource.get(f.name)!, source, n);
        stats[f.name]!.forEach((s, i) => {
          mergeInto(mine[i]!, s);
        });
      }
    }
  }
  return { perSource, points, defaultRank, stores };
}
