import {
  civilDays,
  emptyStats,
  HistogramNeeded,
  isTimeZone,
  TREND_METRIC_NAMES,
  type TrendMetric,
  trendMetric,
  type ValueStats,
  type ZoneSpan,
} from '@linkwell/firmware-protocol';
import type { Database } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { InfluxClient } from '../../influx/client.js';
import { readableSubject } from './access.js';
import { computeTrend, pushTo, type StoreName } from './compute.js';
import {
  dedupeSpot,
  mergeInto,
  pickPerWindow,
  rankSources,
  type SourcePoint,
  sourcesPerWindow,
  statsOfPoints,
  type WindowVerdict,
} from './reconcile.js';
import { createTrendsRepository } from './repository.js';
import { createTrendStore } from './store.js';
import { coverageOf, type WindowView, windowViews } from './trend-view.js';
import { parseUnitPrefs, unitLabel } from './units.js';
import { buildWindows, parseWindow, type ResolvedRange, resolveRange, type TrendWindow } from './window.js';

/**
 * Which InfluxDB `account` tags hold a person's readings: their own, plus those of accounts merged into
 * theirs (readings stay under the tag they were written with; docs/decisions.md "merge by alias").
 */
export type AccountTagResolver = (accountId: string) => Promise<readonly string[]>;

export interface TrendQuery {
  from?: string;
  to?: string;
  window?: string;
  time_zone?: string;
  account?: string;
  merged?: boolean;
  by_source?: boolean;
  units?: string;
  resolution?: 'auto' | 'raw';
}

export interface TrendsDeps {
  db: Database;
  influx: InfluxClient;
  accountTags: AccountTagResolver;
  now: () => number;
}

export const DEFAULT_ZONE = 'UTC';

// A zone change can move a civil day by up to a day either way; the worker redoes days from this far back.
const ZONE_CHANGE_MARGIN_MS = 48 * 3_600_000;

/**
 * Which daily windows the worker's 1d rows describe: the person's own civil days (in the zones their
 * history gives, UTC without one), away from any zone change the worker has not redone yet.
 */
function dayRowsFor(range: ResolvedRange, spans: readonly ZoneSpan[], pendingFrom: number | undefined) {
  const own = new Set(
    civilDays(range.fromMs, range.toMs, spans.length > 0 ? spans : [{ zone: DEFAULT_ZONE, fromMs: 0 }]).map(
      (d) => `${d.zone}|${d.startMs}|${d.endMs}`,
    ),
  );
  const until = pendingFrom === undefined ? Number.POSITIVE_INFINITY : pendingFrom - ZONE_CHANGE_MARGIN_MS;
  return (w: TrendWindow) =>
    w.day !== undefined && w.endMs <= until && own.has(`${w.day.zone}|${w.startMs}|${w.endMs}`);
}

/** The pre-issue-13 heart-rate shape: non-empty windows of the primary field, at their aligned start. */
function legacyPoints(views: readonly WindowView[], windows: readonly TrendWindow[], primary: string) {
  return views.flatMap((v, i) => {
    const s = v.values[primary];
    if (v.empty || s == null) return [];
    return [
      {
        t: new Date(windows[i]!.alignedMs).toISOString(),
        count: s.count,
        mean: s.mean,
        min: s.min,
        max: s.max,
      },
    ];
  });
}

export function unknownMetric(name: string): ApiError {
  return new ApiError('API_ERR_UNKNOWN_METRIC', `There is no trend metric called ${JSON.stringify(name)}.`, {
    metric: name,
    metrics: TREND_METRIC_NAMES,
  });
}

export function createTrendsService(deps: TrendsDeps) {
  const store = createTrendStore(deps.influx);
  const repo = createTrendsRepository(deps.db);

  /** The zones daily windows use: the request's override, else the person's history, else UTC. */
  function zonesFor(
    own: ZoneSpan[],
    override: string | undefined,
  ): { spans: ZoneSpan[]; source: 'profile' | 'request' | 'default' } {
    if (override !== undefined) {
      if (!isTimeZone(override))
        throw new ApiError('API_ERR_BAD_TIME_ZONE', `${JSON.stringify(override)} is not an IANA time zone.`, {
          time_zone: override,
        });
      return { spans: [{ zone: override, fromMs: 0 }], source: 'request' as const };
    }
    return own.length > 0
      ? { spans: own, source: 'profile' as const }
      : { spans: [{ zone: DEFAULT_ZONE, fromMs: 0 }], source: 'default' as const };
  }

  function verdictsForSpot(
    windows: readonly TrendWindow[],
    kept: readonly SourcePoint[],
    suppressed: readonly SourcePoint[],
    order: readonly string[],
  ): WindowVerdict[] {
    const keptBy = sourcesPerWindow(windows, kept);
    const suppressedBy = sourcesPerWindow(windows, suppressed);
    return windows.map((_, i) => {
      const sources = order.filter((s) => keptBy[i]!.has(s));
      return {
        winning_source: sources[0] ?? null,
        sources,
        suppressed_sources: order.filter((s) => suppressedBy[i]!.has(s)),
      };
    });
  }

  function perSourceOfPoints(
    metric: TrendMetric,
    windows: readonly TrendWindow[],
    points: readonly SourcePoint[],
  ) {
    const out = new Map<string, Map<string, ValueStats[]>>();
    for (const f of metric.fields) out.set(f.name, new Map());
    const bySource = new Map<string, SourcePoint[]>();
    for (const p of points) pushTo(bySource, p.source, p);
    for (const [source, pts] of bySource) {
      const stats = statsOfPoints(
        metric.fields.map((f) => f.name),
        windows,
        pts,
      );
      for (const f of metric.fields) out.get(f.name)!.set(source, stats[f.name]!);
    }
    return out;
  }

  return {
    repo,

    async trend(caller: string, metricName: string, q: TrendQuery) {
      const metric = trendMetric(metricName);
      if (metric === undefined) throw unknownMetric(metricName);
      const spec = parseWindow(q.window ?? 'PT1H');
      const range = resolveRange(q.from, q.to, deps.now());
      const subject = await readableSubject(deps.db, caller, q.account);
      // Independent registry reads, together: on PGlite they queue on one connection, on PostgreSQL they overlap.
      if (q.time_zone !== undefined) zonesFor([], q.time_zone);
      const [context, accounts] = await Promise.all([
        repo.trendContext(subject, metric.metric),
        deps.accountTags(subject),
      ]);
      const { zones: ownSpans, pendingZoneFrom, sources: chosen } = context;
      const rollups = q.resolution === 'raw' ? undefined : context.rollups;
      const prefs = {
        ...parseUnitPrefs(Object.values(context.units).join(','), 'profile.units'),
        ...parseUnitPrefs(q.units),
      };
      const zones = zonesFor(ownSpans, q.time_zone);
      const windows = buildWindows(range, spec, zones.spans);
      const assemble = async (mergesSources: boolean) => {
        const computed = await computeTrend({
          store,
          metric,
          accounts,
          windows,
          spec,
          mergesSources,
          rollups: rollups?.built
            ? { cursorMs: rollups.cursorMs, dayRows: dayRowsFor(range, ownSpans, pendingZoneFrom) }
            : null,
        });
        const seen = new Set<string>(computed.defaultRank.keys());
        const order = rankSources(seen, chosen, (s) => computed.defaultRank.get(s) ?? 99);
        const merged = q.merged ?? true;
        const n = windows.length;

        let perField: Map<string, ValueStats[]>;
        let verdicts: WindowVerdict[];
        let coverage: number[] | undefined;
        const perSource =
          metric.kind === 'continuous'
            ? computed.perSource
            : perSourceOfPoints(metric, windows, computed.points);
        if (!merged) {
          perField = new Map();
          for (const f of metric.fields) {
            const all = Array.from({ length: n }, emptyStats);
            for (const stats of perSource.get(f.name)!.values())
              stats.forEach((s, i) => {
                mergeInto(all[i]!, s);
              });
            perField.set(f.name, all);
          }
          const primary = perSource.get(metric.fields[0]!.name)!;
          // Sources overlap in time, and rollups keep minute counts, not minute sets: without reconciliation a
          // window is as covered as its best-covered source.
          coverage = windows.map((w, i) =>
            Math.max(0, ...[...primary.values()].map((stats) => coverageOf(metric.kind, w, stats[i]))),
          );
          verdicts = windows.map((_, i) => {
            const sources = order.filter((s) => (primary.get(s)?.[i]?.count ?? 0) > 0);
            return { winning_source: null, sources, suppressed_sources: [] };
          });
        } else if (metric.kind === 'continuous') {
          const picked = pickPerWindow(perSource.get(metric.fields[0]!.name)!, order, n);
          perField = new Map([[metric.fields[0]!.name, picked.stats]]);
          verdicts = picked.verdicts;
        } else {
          const { kept, suppressed } = dedupeSpot(metric, computed.points, order);
          const stats = statsOfPoints(
            metric.fields.map((f) => f.name),
            windows,
            kept,
          );
          perField = new Map(Object.entries(stats));
          verdicts = verdictsForSpot(windows, kept, suppressed, order);
        }

        const views = windowViews(metric, windows, perField, verdicts, prefs, coverage);
        const series: { source: string; windows: WindowView[] }[] | undefined = q.by_source
          ? order.map((source) => {
              const mine = new Map(
                metric.fields.map((f) => [f.name, perSource.get(f.name)!.get(source) ?? []]),
              );
              const own = windows.map(() => ({
                winning_source: source,
                sources: [source],
                suppressed_sources: [],
              }));
              return { source, windows: windowViews(metric, windows, mine, own, prefs) };
            })
          : undefined;

        const primary = metric.fields[0]!.name;
        return {
          metric: metric.metric,
          kind: metric.kind,
          account: subject,
          from: new Date(range.fromMs).toISOString(),
          to: new Date(range.toMs).toISOString(),
          window: q.window ?? 'PT1H',
          ...(spec.kind === 'daily' ? { time_zone_source: zones.source } : {}),
          merged,
          stores: [
            ...new Set([...computed.stores.values()].flatMap((set) => [...set])),
          ].sort() as StoreName[],
          series_stores: Object.fromEntries(
            [...computed.stores].map(([series, set]) => [series, [...set].sort() as StoreName[]]),
          ),
          units: Object.fromEntries(metric.fields.map((f) => [f.name, unitLabel(f.dimension, prefs)])),
          source_priority: order,
          windows: views,
          ...(series ? { series } : {}),
          // Deprecated: the heart-rate response before issue 13 (non-empty windows of the primary field).
          ...(metric.metric === 'heart_rate' ? { points: legacyPoints(views, windows, primary) } : {}),
        };
      };
      try {
        return await assemble(q.merged === false);
      } catch (err) {
        // A device that feeds two series of one metric (rare) merges 1d rows: read them with histograms.
        if (err instanceof HistogramNeeded) return await assemble(true);
        throw err;
      }
    },
  };
}

export type TrendsService = ReturnType<typeof createTrendsService>;
