import {
  addPiece,
  addPoint,
  type CivilDay,
  civilDays,
  emptyStats,
  HOUR_MS,
  pieceFromRow,
  ROLLUP_TZ_TAG,
  rollupField,
  rollupFieldValues,
  STORAGE_TAGS,
  type StatsPiece,
  toPiece,
  type ValueStats,
  type ZoneSpan,
} from '@linkwell/firmware-protocol';
import { escapeKey, escapeMeasurement, quoteString } from '../influx/points.js';
import type { InfluxSeries } from './influxql.js';
import { floorHour } from './layout.js';

/** Per device, per bucket start: one entry per rolled field (undefined where the field has no value). */
export type Buckets = Map<string, Map<number, (StatsPiece | undefined)[]>>;

// Longer than any civil day (25 h across a DST change), so the days around an instant come out whole.
const DAY_MARGIN_MS = 30 * HOUR_MS;

const deviceOf = (s: InfluxSeries) => s.tags?.[STORAGE_TAGS.device] ?? '';

/** The whole civil days (in the account's zones) that overlap the given UTC hours, in time order. */
export function daysOfHours(hours: readonly number[], spans: readonly ZoneSpan[]): CivilDay[] {
  const byStart = new Map<number, CivilDay>();
  let i = 0;
  while (i < hours.length) {
    // One run of consecutive hours at a time keeps civilDays' work to the days actually touched.
    let j = i;
    while (j + 1 < hours.length && hours[j + 1] === hours[j]! + HOUR_MS) j++;
    const from = hours[i]!;
    const to = hours[j]! + HOUR_MS;
    for (const d of civilDays(from - DAY_MARGIN_MS, to + DAY_MARGIN_MS, spans))
      if (d.endMs > from && d.startMs < to) byStart.set(d.startMs, d);
    i = j + 1;
  }
  return [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
}

/** Consecutive days in groups spanning at most `maxMs`: each group is one set of queries. */
export function sliceDays(days: readonly CivilDay[], maxMs: number): CivilDay[][] {
  const out: CivilDay[][] = [];
  let cur: CivilDay[] = [];
  for (const d of days) {
    const first = cur[0];
    if (first && (cur.at(-1)!.endMs !== d.startMs || d.endMs - first.startMs > maxMs)) {
      out.push(cur);
      cur = [];
    }
    cur.push(d);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export const isHourAligned = (d: CivilDay) => d.startMs % HOUR_MS === 0 && d.endMs % HOUR_MS === 0;

function columnsOf(s: InfluxSeries, fields: readonly string[]) {
  return { t: s.columns.indexOf('time'), f: fields.map((f) => s.columns.indexOf(f)) };
}

/** Raw points (a `GROUP BY device` answer) as stats per device and bucket; `bucketOf` undefined drops a point. */
export function statsOf(
  series: readonly InfluxSeries[],
  fields: readonly string[],
  bucketOf: (t: number) => number | undefined,
): Map<string, Map<number, ValueStats[]>> {
  const out = new Map<string, Map<number, ValueStats[]>>();
  for (const s of series) {
    const col = columnsOf(s, fields);
    const device = deviceOf(s);
    let byBucket = out.get(device);
    for (const row of s.values) {
      const t = Number(row[col.t]);
      const b = bucketOf(t);
      if (b === undefined) continue;
      for (let k = 0; k < fields.length; k++) {
        const v = col.f[k]! >= 0 ? row[col.f[k]!] : null;
        if (typeof v !== 'number') continue;
        if (!byBucket) {
          byBucket = new Map();
          out.set(device, byBucket);
        }
        let stats = byBucket.get(b);
        if (!stats) {
          stats = fields.map(() => emptyStats());
          byBucket.set(b, stats);
        }
        addPoint(stats[k]!, t, v);
      }
    }
  }
  return out;
}

/** Stats per bucket as pieces covering [bucket, bucket + length(bucket)). */
export function piecesOf(
  stats: Map<string, Map<number, ValueStats[]>>,
  endOf: (bucket: number) => number,
): Buckets {
  const out: Buckets = new Map();
  for (const [device, byBucket] of stats) {
    const m = new Map<number, (StatsPiece | undefined)[]>();
    for (const [b, per] of byBucket)
      m.set(
        b,
        per.map((s) => (s.count > 0 ? toPiece(s, b, endOf(b)) : undefined)),
      );
    out.set(device, m);
  }
  return out;
}

/** Rollup rows read back (`SELECT *`), as pieces per device and start. */
export function rowsAsPieces(
  series: readonly InfluxSeries[],
  fields: readonly string[],
  lengthMs: number,
): Buckets {
  const out: Buckets = new Map();
  for (const s of series) {
    const device = deviceOf(s);
    let m = out.get(device);
    if (!m) {
      m = new Map();
      out.set(device, m);
    }
    const ti = s.columns.indexOf('time');
    for (const v of s.values) {
      const row = Object.fromEntries(s.columns.map((c, i) => [c, v[i]]));
      const t = Number(v[ti]);
      m.set(
        t,
        fields.map((f) => pieceFromRow(f, row, t, t + lengthMs)),
      );
    }
  }
  return out;
}

/** The rolled fields with a count in each stored row, by `device \n tz \n start` (tz '' for 1h rows). */
export function storedRows(
  series: readonly InfluxSeries[],
  fields: readonly string[],
): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const s of series) {
    const device = deviceOf(s);
    const tz = s.tags?.[ROLLUP_TZ_TAG] ?? '';
    const ti = s.columns.indexOf('time');
    const ci = fields.map((f) => s.columns.indexOf(rollupField(f, 'count')));
    for (const v of s.values) {
      const have = new Set<number>();
      ci.forEach((c, k) => {
        if (c >= 0 && typeof v[c] === 'number' && (v[c] as number) > 0) have.add(k);
      });
      out.set(rowKey(device, tz, Number(v[ti])), have);
    }
  }
  return out;
}

export const rowKey = (device: string, tz: string, t: number) => `${device}\n${tz}\n${t}`;

/** Merges pieces per device into the given buckets (e.g. 1h pieces into civil days). */
export function mergeInto(
  pieces: Buckets,
  fieldCount: number,
  buckets: readonly { startMs: number; endMs: number }[],
): Buckets {
  const out: Buckets = new Map();
  for (const [device, byStart] of pieces) {
    const starts = [...byStart.keys()].sort((a, b) => a - b);
    const m = new Map<number, (StatsPiece | undefined)[]>();
    for (const b of buckets) {
      const acc = Array.from({ length: fieldCount }, () => emptyStats());
      for (const t of starts) {
        if (t < b.startMs || t >= b.endMs) continue;
        byStart.get(t)!.forEach((p, k) => {
          if (p) addPiece(acc[k]!, p);
        });
      }
      if (acc.some((s) => s.count > 0))
        m.set(
          b.startMs,
          acc.map((s) => (s.count > 0 ? toPiece(s, b.startMs, b.endMs) : undefined)),
        );
    }
    if (m.size > 0) out.set(device, m);
  }
  return out;
}

const INTEGER_STATS = new Set(['count', 'minutes', 'first_t', 'last_t']);

/** One rollup row in line protocol; fields without values are left out (pieceFromRow reads them as absent). */
export function rowLine(
  table: string,
  account: string,
  device: string,
  tz: string | undefined,
  fields: readonly string[],
  pieces: readonly (StatsPiece | undefined)[],
  t: number,
): string | undefined {
  let set = '';
  fields.forEach((f, k) => {
    const p = pieces[k];
    if (!p || p.count === 0) return;
    for (const [name, v] of Object.entries(rollupFieldValues(f, p))) {
      const stat = name.slice(f.length + 2);
      const enc =
        typeof v === 'string' ? quoteString(v) : INTEGER_STATS.has(stat) ? `${Math.trunc(v)}i` : String(v);
      set += `${set ? ',' : ''}${escapeKey(name)}=${enc}`;
    }
  });
  if (!set) return undefined;
  let tags = `,${STORAGE_TAGS.account}=${escapeKey(account)}`;
  if (device) tags += `,${STORAGE_TAGS.device}=${escapeKey(device)}`;
  if (tz) tags += `,${ROLLUP_TZ_TAG}=${escapeKey(tz)}`;
  return `${escapeMeasurement(table)}${tags} ${set} ${t}`;
}

/** The hour starts in [fromMs, toMs) of the sorted `hours`. */
export function hoursWithin(hours: readonly number[], fromMs: number, toMs: number): number[] {
  return hours.filter((h) => h + HOUR_MS > fromMs && h < toMs);
}

export { floorHour };
