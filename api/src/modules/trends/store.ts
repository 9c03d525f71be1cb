import {
  HOUR_MS,
  META_FIELDS,
  pieceFromRow,
  ROLLUP_JOURNAL,
  ROLLUP_STATS,
  ROLLUP_TZ_TAG,
  type RollupResolution,
  rollupField,
  rollupMeasurement,
  STORAGE_TAGS,
  type StatsPiece,
} from '@linkwell/firmware-protocol';
import type { InfluxClient, InfluxSeries } from '../../influx/client.js';
import { quoteIdentifier, quoteString } from '../../influx/influxql.js';

/**
 * Reads for trends, through the storage contract (firmware-protocol catalog/storage.ts). Every identifier
 * and tag value goes through quoteIdentifier/quoteString; times are integers checked by the caller.
 */
export interface RawPoint {
  t: number;
  source: string;
  values: Record<string, number>;
  quality: string | null;
}

export interface RollupRow {
  source: string;
  startMs: number;
  /** 1d rows: the zone whose civil day the row covers. */
  zone: string | null;
  row: Record<string, unknown>;
}

const NO_DEVICE = 'unknown';

function anyTag(key: string, values: readonly string[]): string {
  if (values.length === 0) throw new RangeError(`${key} needs at least one value`);
  return `(${values.map((v) => `${quoteIdentifier(key)} = ${quoteString(v)}`).join(' OR ')})`;
}

function timeRange(fromMs: number, toMs: number): string {
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs)) throw new RangeError('integer ms bounds');
  return `time >= ${fromMs}ms AND time < ${toMs}ms`;
}

function rowsOf(s: InfluxSeries): Record<string, unknown>[] {
  return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
}

export function rawQuery(
  measurement: string,
  fields: readonly string[],
  accounts: readonly string[],
  fromMs: number,
  toMs: number,
): string {
  const select = [...fields, META_FIELDS.quality].map(quoteIdentifier).join(', ');
  return `SELECT ${select} FROM ${quoteIdentifier(measurement)} WHERE ${anyTag(STORAGE_TAGS.account, accounts)} AND ${timeRange(fromMs, toMs)} GROUP BY ${quoteIdentifier(STORAGE_TAGS.device)}`;
}

export function rollupQuery(
  measurement: string,
  resolution: RollupResolution,
  accounts: readonly string[],
  fromMs: number,
  toMs: number,
  /** Without histograms the answer is a fraction of the size; enough when each window is one row. */
  fields?: readonly string[],
): string {
  const group = [STORAGE_TAGS.device, ...(resolution === '1d' ? [ROLLUP_TZ_TAG] : [])].map(quoteIdentifier);
  const select =
    fields === undefined
      ? '*'
      : fields
          .flatMap((f) =>
            ROLLUP_STATS.filter((s) => s !== 'hist').map((s) => quoteIdentifier(rollupField(f, s))),
          )
          .join(', ');
  return `SELECT ${select} FROM ${quoteIdentifier(rollupMeasurement(measurement, resolution))} WHERE ${anyTag(STORAGE_TAGS.account, accounts)} AND ${timeRange(fromMs, toMs)} GROUP BY ${group.join(', ')}`;
}

export function journalQuery(measurement: string, accounts: readonly string[], afterMs: number): string {
  const j = ROLLUP_JOURNAL;
  return `SELECT ${quoteIdentifier(j.hourField)} FROM ${quoteIdentifier(j.measurement)} WHERE ${anyTag(j.tags.account, accounts)} AND ${quoteIdentifier(j.tags.measurement)} = ${quoteString(measurement)} AND time > ${Math.trunc(afterMs)}ms`;
}

export function createTrendStore(influx: InfluxClient) {
  return {
    async raw(
      measurement: string,
      fields: readonly string[],
      accounts: readonly string[],
      fromMs: number,
      toMs: number,
    ): Promise<RawPoint[]> {
      const out: RawPoint[] = [];
      for (const s of await influx.query(rawQuery(measurement, fields, accounts, fromMs, toMs))) {
        const source = s.tags?.[STORAGE_TAGS.device] || NO_DEVICE;
        const ti = s.columns.indexOf('time');
        const qi = s.columns.indexOf(META_FIELDS.quality);
        const fi = fields.map((f) => s.columns.indexOf(f));
        for (const row of s.values) {
          const values: Record<string, number> = {};
          let any = false;
          fields.forEach((f, k) => {
            const v = fi[k]! >= 0 ? row[fi[k]!] : null;
            if (typeof v === 'number') {
              values[f] = v;
              any = true;
            }
          });
          if (!any) continue;
          const q = qi >= 0 ? row[qi] : null;
          out.push({ t: Number(row[ti]), source, values, quality: typeof q === 'string' ? q : null });
        }
      }
      return out.sort((a, b) => a.t - b.t || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    },

    async rollups(
      measurement: string,
      resolution: RollupResolution,
      accounts: readonly string[],
      fromMs: number,
      toMs: number,
      withoutHistograms?: readonly string[],
    ): Promise<RollupRow[]> {
      const out: RollupRow[] = [];
      const q = rollupQuery(measurement, resolution, accounts, fromMs, toMs, withoutHistograms);
      for (const s of await influx.query(q)) {
        const source = s.tags?.[STORAGE_TAGS.device] || NO_DEVICE;
        const zone = resolution === '1d' ? (s.tags?.[ROLLUP_TZ_TAG] ?? null) : null;
        for (const row of rowsOf(s)) out.push({ source, startMs: Number(row.time), zone, row });
      }
      return out;
    },

    /** Devices that ever wrote this measurement under these account tags. */
    async devicesOf(measurement: string, accounts: readonly string[]): Promise<string[]> {
      const q = `SHOW TAG VALUES FROM ${quoteIdentifier(measurement)} WITH KEY = ${quoteIdentifier(STORAGE_TAGS.device)} WHERE ${anyTag(STORAGE_TAGS.account, accounts)}`;
      const out: string[] = [];
      for (const s of await influx.query(q)) {
        const vi = s.columns.indexOf('value');
        for (const row of s.values) if (typeof row[vi] === 'string') out.push(row[vi] as string);
      }
      return out;
    },

    /** UTC hour starts with journal points newer than the worker's cursor: their rollups may be stale. */
    async dirtyHours(
      measurement: string,
      accounts: readonly string[],
      cursorMs: number,
    ): Promise<Set<number>> {
      const hours = new Set<number>();
      for (const s of await influx.query(journalQuery(measurement, accounts, cursorMs))) {
        const hi = s.columns.indexOf(ROLLUP_JOURNAL.hourField);
        for (const row of s.values) {
          const h = Number(row[hi]);
          if (Number.isSafeInteger(h)) hours.add(Math.floor(h / HOUR_MS) * HOUR_MS);
        }
      }
      return hours;
    },
  };
}

export type TrendStore = ReturnType<typeof createTrendStore>;

export function pieceOf(field: string, r: RollupRow, endMs: number): StatsPiece | undefined {
  return pieceFromRow(field, r.row, r.startMs, endMs);
}
