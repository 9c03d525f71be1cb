import { META_FIELDS, RAW_MEASUREMENTS, STORAGE_TAGS } from '@linkwell/firmware-protocol';
import type { InfluxSeries } from '../../influx/client.js';
import { quoteIdentifier, quoteString } from '../../influx/influxql.js';
import { encodeReadingId } from './reading-id.js';

// Catalog names are [a-z0-9_] only, so they need no regex escaping; the test pins that.
const RAW_MEASUREMENT_REGEX = `/^(${RAW_MEASUREMENTS.join('|')})$/`;

/** Fields ingest writes beside the values (ingest/src/influx/points.ts): not measurements. */
const ATTRIBUTION_FIELDS = {
  method: META_FIELDS.attrMethod,
  confidence: META_FIELDS.attrConfidence,
  rule: META_FIELDS.attrRule,
} as const;
const NOT_VALUES = new Set([
  'time',
  STORAGE_TAGS.account,
  STORAGE_TAGS.device,
  META_FIELDS.quality,
  META_FIELDS.slot,
  ...Object.values(ATTRIBUTION_FIELDS),
]);

export interface Reading {
  id: string;
  metric: string;
  measured_at: string;
  values: Record<string, number>;
  device_id: string | null;
  /** How ingest attributed the reading; null for readings stored before attribution was recorded. */
  attribution: { method: string; confidence: number | null; rule: string | null } | null;
}

const anyOf = (key: string, values: readonly string[]) =>
  `(${values.map((v) => `${quoteIdentifier(key)} = ${quoteString(v)}`).join(' OR ')})`;

/**
 * The newest readings under any of these account tags, newest first. Without a metric every raw
 * measurement is searched through a fixed regex built from the catalog (no caller text reaches it); tags
 * come back as columns of `SELECT *`.
 */
export function readingsQuery(q: {
  metric: string | undefined;
  accounts: readonly string[];
  fromMs: number;
  toMs: number;
  limit: number;
}): string {
  if (q.accounts.length === 0) throw new RangeError('at least one account tag');
  // The catalog's raw measurements only: the same database also holds rollups and the rollup journal.
  const from = q.metric === undefined ? RAW_MEASUREMENT_REGEX : quoteIdentifier(q.metric);
  return (
    `SELECT * FROM ${from} WHERE ${anyOf('account', q.accounts)} AND time >= ${q.fromMs}ms AND time < ${q.toMs}ms ` +
    `ORDER BY time DESC LIMIT ${q.limit}`
  );
}

/** The one point with this key, if it is stored. */
export function pointQuery(k: { metric: string; account: string; device: string; t: number }): string {
  return (
    `SELECT * FROM ${quoteIdentifier(k.metric)} WHERE ${anyOf('account', [k.account])} AND ` +
    `${anyOf('device', [k.device])} AND time = ${k.t}ms`
  );
}

/** Rows of every series, newest first, at most `limit`. */
export function toReadings(series: readonly InfluxSeries[], limit: number): Reading[] {
  const out: (Reading & { t: number })[] = [];
  for (const s of series) {
    for (const row of s.values) {
      const col = (name: string) => {
        const i = s.columns.indexOf(name);
        return i === -1 ? null : row[i];
      };
      const t = Number(col('time'));
      const account = col('account');
      const device = col('device');
      if (!Number.isSafeInteger(t) || typeof account !== 'string') continue;
      const values: Record<string, number> = {};
      s.columns.forEach((c, i) => {
        const v = row[i];
        if (!NOT_VALUES.has(c) && typeof v === 'number') values[c] = v;
      });
      const method = col(ATTRIBUTION_FIELDS.method);
      const confidence = col(ATTRIBUTION_FIELDS.confidence);
      const rule = col(ATTRIBUTION_FIELDS.rule);
      out.push({
        t,
        id: encodeReadingId({ metric: s.name, account, device: typeof device === 'string' ? device : '', t }),
        metric: s.name,
        measured_at: new Date(t).toISOString(),
        values,
        device_id: typeof device === 'string' ? device : null,
        attribution:
          typeof method === 'string'
            ? {
                method,
                confidence: typeof confidence === 'number' ? confidence : null,
                rule: typeof rule === 'string' ? rule : null,
              }
            : null,
      });
    }
  }
  out.sort((a, b) => b.t - a.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out.slice(0, limit).map(({ t: _t, ...r }) => r);
}
