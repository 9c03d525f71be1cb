import { STORAGE_TAGS } from '@linkwell/firmware-protocol';
import { influxIdent, influxString } from '../influx/point-query.js';
import type { InfluxQl } from './influxql.js';
import type { RolledMeasurement } from './layout.js';

/** First and last stored instant (ms) of a measurement per account tag, over every rolled field. */
export async function extents(
  ql: InfluxQl,
  rolled: RolledMeasurement,
  account?: string,
): Promise<Map<string, { first: number; last: number }>> {
  const where = account ? ` WHERE ${influxIdent(STORAGE_TAGS.account)} = ${influxString(account)}` : '';
  const from = influxIdent(rolled.measurement);
  const by = `GROUP BY ${influxIdent(STORAGE_TAGS.account)}`;
  // FIRST and LAST are selectors: they answer the point's own time, one statement per field (two selectors
  // in one statement would answer time 0).
  const statements = rolled.fields.flatMap((f) => [
    `SELECT FIRST(${influxIdent(f)}) FROM ${from}${where} ${by}`,
    `SELECT LAST(${influxIdent(f)}) FROM ${from}${where} ${by}`,
  ]);
  const out = new Map<string, { first: number; last: number }>();
  for (const series of await ql.query(statements)) {
    for (const s of series) {
      const tag = s.tags?.[STORAGE_TAGS.account] ?? '';
      if (!tag) continue;
      const t = Number(s.values[0]?.[s.columns.indexOf('time')]);
      if (!Number.isFinite(t)) continue;
      const e = out.get(tag);
      if (!e) out.set(tag, { first: t, last: t });
      else {
        e.first = Math.min(e.first, t);
        e.last = Math.max(e.last, t);
      }
    }
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time; the first failure stops new starts and is thrown. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: { err: unknown } | undefined;
  const runner = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, runner));
  if (failed) throw failed.err;
}
