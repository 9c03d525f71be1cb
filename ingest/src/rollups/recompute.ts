import { type CivilDay, HOUR_MS, STORAGE_TAGS, type ZoneSpan } from '@linkwell/firmware-protocol';
import { influxIdent, influxString } from '../influx/point-query.js';
import type { PointWriter } from '../influx/writer.js';
import {
  type Buckets,
  daysOfHours,
  hoursWithin,
  isHourAligned,
  mergeInto,
  piecesOf,
  rowKey,
  rowLine,
  rowsAsPieces,
  sliceDays,
  statsOf,
  storedRows,
} from './compute.js';
import { RollupError } from './errors.js';
import type { InfluxQl, InfluxSeries } from './influxql.js';
import { ceilHour, floorHour, type RolledMeasurement } from './layout.js';

/** Rows per rollup write: InfluxDB's recommended batch size (docs.influxdata.com, "write optimizations"). */
const WRITE_BATCH_LINES = 5000;
/** Civil days per set of queries: a week of per-minute points is ~10,000 per device. */
export const SLICE_MS = 7 * 24 * HOUR_MS;

/** Collects rollup rows and writes them in batches; `flush` must finish before the cursor moves. */
export class RowSink {
  private buffer: string[] = [];
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;
  rows = { '1h': 0, '1d': 0 };

  constructor(private readonly writer: PointWriter) {}

  async add(lines: readonly string[], resolution: '1h' | '1d'): Promise<void> {
    this.rows[resolution] += lines.length;
    for (const l of lines) this.buffer.push(l);
    if (this.buffer.length >= WRITE_BATCH_LINES) await this.write();
  }

  async flush(): Promise<void> {
    await this.write();
    await Promise.all(this.pending);
    if (this.failure) throw this.failure;
  }

  private async write(): Promise<void> {
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length === 0) return;
    const p = this.writer.write(lines).catch((err: unknown) => {
      this.failure ??= new RollupError('INGEST_ERR_ROLLUP_WRITE', (err as Error).message, { cause: err });
    });
    this.pending.add(p);
    await p;
    this.pending.delete(p);
    if (this.failure) throw this.failure;
  }
}

/** What to recompute for one account tag and rolled measurement. */
export interface GroupWork {
  account: string;
  rolled: RolledMeasurement;
  /** UTC hour starts whose 1h rows are recomputed from raw, sorted. */
  hours: readonly number[];
  /** Civil days whose 1d rows are recomputed, sorted; typically `daysOfHours(hours, spans)`. */
  days: readonly CivilDay[];
}

export interface RecomputeDeps {
  ql: InfluxQl;
  sink: RowSink;
}

const time = (from: number, to: number) => `time >= ${Math.trunc(from)}ms AND time < ${Math.trunc(to)}ms`;

export function workForHours(
  account: string,
  rolled: RolledMeasurement,
  hours: readonly number[],
  spans: readonly ZoneSpan[],
): GroupWork {
  const sorted = [...new Set(hours)].sort((a, b) => a - b);
  return { account, rolled, hours: sorted, days: daysOfHours(sorted, spans) };
}

/** Recomputes a group's rows, slice by slice; deletes go out before the rows that replace them. */
export async function recomputeGroup(deps: RecomputeDeps, work: GroupWork): Promise<void> {
  for (const days of sliceDays(work.days, SLICE_MS)) await recomputeSlice(deps, work, days);
}

async function recomputeSlice(deps: RecomputeDeps, work: GroupWork, days: CivilDay[]): Promise<void> {
  const { account, rolled } = work;
  const fields = rolled.fields;
  const S = days[0]!.startMs;
  const E = days.at(-1)!.endMs;
  const hours = hoursWithin(work.hours, S, E);
  const aligned = days.every(isHourAligned);
  const acct = `${influxIdent(STORAGE_TAGS.account)} = ${influxString(account)}`;
  const select = fields.map(influxIdent).join(', ');
  const byDevice = `GROUP BY ${influxIdent(STORAGE_TAGS.device)}`;
  const raw = (from: number, to: number) =>
    `SELECT ${select} FROM ${influxIdent(rolled.measurement)} WHERE ${acct} AND ${time(from, to)} ${byDevice}`;
  const rows1h = (from: number, to: number) =>
    `SELECT * FROM ${influxIdent(rolled.table['1h'])} WHERE ${acct} AND ${time(from, to)} ${byDevice}`;
  const hFrom = hours[0] ?? S;
  const hTo = (hours.at(-1) ?? S) + HOUR_MS;

  // Aligned days (whole UTC hours) merge their 1h rows; others (e.g. Asia/Kolkata, UTC+5:30) read raw.
  const statements: [string, string, string] = [
    hours.length > 0 || !aligned ? (aligned ? raw(hFrom, hTo) : raw(floorHour(S), ceilHour(E))) : '',
    aligned ? rows1h(S, E) : hours.length > 0 ? rows1h(hFrom, hTo) : '',
    `SELECT * FROM ${influxIdent(rolled.table['1d'])} WHERE ${acct} AND ${time(S, E)} ${byDevice}, ${influxIdent('tz')}`,
  ];
  const [rawSeries, hourRows, dayRows] = await queryNonEmpty(deps.ql, statements);

  const touched = new Set(hours);
  const freshHours = piecesOf(
    statsOf(rawSeries, fields, (t) => (touched.has(floorHour(t)) ? floorHour(t) : undefined)),
    (h) => h + HOUR_MS,
  );
  const deletes: string[] = [];
  const hourLines = diffRows(
    rolled.table['1h'],
    account,
    fields,
    freshHours,
    storedRows(hourRows, fields),
    (_device, _tz, t) => touched.has(t),
    '',
    deletes,
  );

  let freshDays: Buckets;
  if (aligned) {
    const stored = rowsAsPieces(hourRows, fields, HOUR_MS);
    for (const byHour of stored.values()) for (const h of touched) byHour.delete(h);
    for (const [device, byHour] of freshHours) {
      let m = stored.get(device);
      if (!m) {
        m = new Map();
        stored.set(device, m);
      }
      for (const [h, p] of byHour) m.set(h, p);
    }
    freshDays = mergeInto(stored, fields.length, days);
  } else {
    freshDays = piecesOf(
      statsOf(rawSeries, fields, (t) => dayStartOf(days, t)),
      (s) => dayEndOf(days, s),
    );
  }
  const zoneOf = new Map(days.map((d) => [d.startMs, d.zone]));
  const dayLines = diffRows(
    rolled.table['1d'],
    account,
    fields,
    freshDays,
    storedRows(dayRows, fields),
    () => true,
    zoneOf,
    deletes,
  );
  if (deletes.length > 0) await deps.ql.query(deletes);
  await deps.sink.add(hourLines, '1h');
  await deps.sink.add(dayLines, '1d');
}

/** Runs the non-empty statements in one request; an empty statement answers no series. */
async function queryNonEmpty(
  ql: InfluxQl,
  statements: [string, string, string],
): Promise<[InfluxSeries[], InfluxSeries[], InfluxSeries[]]> {
  const got = await ql.query(statements.filter((s) => s !== ''));
  let i = 0;
  const [a, b, c] = statements.map((s) => (s === '' ? [] : got[i++]!));
  return [a!, b!, c!];
}

function dayStartOf(days: readonly CivilDay[], t: number): number | undefined {
  let lo = 0;
  let hi = days.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = days[mid]!;
    if (t < d.startMs) hi = mid - 1;
    else if (t >= d.endMs) lo = mid + 1;
    else return d.startMs;
  }
  return undefined;
}

function dayEndOf(days: readonly CivilDay[], start: number): number {
  return days.find((d) => d.startMs === start)!.endMs;
}

/**
 * Lines for the fresh rows, and DELETEs for stored rows in scope that must go: a device with no value left
 * there (e.g. after a move), or a row that loses a field (a write would keep the old field's values).
 */
function diffRows(
  table: string,
  account: string,
  fields: readonly string[],
  fresh: Buckets,
  stored: Map<string, Set<number>>,
  inScope: (device: string, tz: string, t: number) => boolean,
  tz: '' | Map<number, string>,
  deletes: string[],
): string[] {
  const lines: string[] = [];
  const kept = new Set<string>();
  for (const [device, byStart] of fresh) {
    for (const [t, pieces] of byStart) {
      const zone = tz === '' ? '' : (tz.get(t) ?? '');
      const line = rowLine(table, account, device, zone || undefined, fields, pieces, t);
      if (!line) continue;
      const key = rowKey(device, zone, t);
      const had = stored.get(key);
      if (had && [...had].some((k) => !pieces[k] || pieces[k]!.count === 0)) continue;
      kept.add(key);
      lines.push(line);
    }
  }
  for (const key of stored.keys()) {
    const [device, zone, ts] = key.split('\n') as [string, string, string];
    const t = Number(ts);
    if (kept.has(key) || !inScope(device, zone, t)) continue;
    const where = [
      `${influxIdent(STORAGE_TAGS.account)} = ${influxString(account)}`,
      `${influxIdent(STORAGE_TAGS.device)} = ${influxString(device)}`,
      ...(zone ? [`${influxIdent('tz')} = ${influxString(zone)}`] : []),
      `time >= ${t}ms AND time <= ${t}ms`,
    ];
    deletes.push(`DELETE FROM ${influxIdent(table)} WHERE ${where.join(' AND ')}`);
  }
  // Rows that lose a field are deleted above (not kept) and written again here.
  for (const [device, byStart] of fresh) {
    for (const [t, pieces] of byStart) {
      const zone = tz === '' ? '' : (tz.get(t) ?? '');
      const key = rowKey(device, zone, t);
      if (kept.has(key) || !stored.has(key)) continue;
      const line = rowLine(table, account, device, zone || undefined, fields, pieces, t);
      if (line) lines.push(line);
    }
  }
  return lines;
}
