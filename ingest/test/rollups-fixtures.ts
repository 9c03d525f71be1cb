import {
  addPiece,
  addPoint,
  emptyStats,
  HOUR_MS,
  pieceFromRow,
  type StatsSummary,
  summarize,
  type ValueStats,
} from '@linkwell/firmware-protocol';
import { expect } from 'vitest';
import type { InfluxQl, InfluxSeries } from '../src/rollups/influxql.js';

/** Rollup-test helpers: statistics straight from raw points, and the same from stored rollup rows. */
const q = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

function perDevice(series: InfluxSeries[], visit: (device: string, row: Record<string, unknown>) => void) {
  for (const s of series) {
    const device = s.tags?.device ?? '';
    for (const v of s.values) visit(device, Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
  }
}

/** Per device: stats of `field` over raw points in [from, to). */
export async function rawStats(
  ql: InfluxQl,
  m: string,
  field: string,
  account: string,
  from: number,
  to: number,
): Promise<Map<string, ValueStats>> {
  const out = new Map<string, ValueStats>();
  const series = await ql.one(
    `SELECT "${field}" FROM "${m}" WHERE "account" = ${q(account)} AND time >= ${from}ms AND time < ${to}ms GROUP BY "device"`,
  );
  perDevice(series, (device, row) => {
    if (typeof row[field] !== 'number') return;
    const s = out.get(device) ?? emptyStats();
    out.set(device, s);
    addPoint(s, Number(row.time), row[field] as number);
  });
  return out;
}

/** Per device (and zone for 1d rows, as `device@zone`): the merge of stored rows starting in [from, to). */
export async function rolledStats(
  ql: InfluxQl,
  table: string,
  field: string,
  account: string,
  from: number,
  to: number,
  rowEnd: (start: number, zone: string) => number = (s) => s + HOUR_MS,
): Promise<Map<string, ValueStats>> {
  const out = new Map<string, ValueStats>();
  const series = await ql.one(
    `SELECT * FROM "${table}" WHERE "account" = ${q(account)} AND time >= ${from}ms AND time < ${to}ms GROUP BY "device", "tz"`,
  );
  for (const s of series) {
    const key = s.tags?.tz ? `${s.tags?.device ?? ''}@${s.tags.tz}` : (s.tags?.device ?? '');
    const ti = s.columns.indexOf('time');
    for (const v of s.values) {
      const row = Object.fromEntries(s.columns.map((c, i) => [c, v[i]]));
      const t = Number(v[ti]);
      const p = pieceFromRow(field, row, t, rowEnd(t, s.tags?.tz ?? ''));
      if (!p) continue;
      const st = out.get(key) ?? emptyStats();
      out.set(key, st);
      addPiece(st, p);
    }
  }
  return out;
}

/** Summaries equal, the mean to 1e-9 relative (sums added in another order may differ in the last bits). */
export function expectSameSummary(
  actual: ValueStats | undefined,
  expected: ValueStats | undefined,
  label: string,
) {
  const a = actual ? summarize(actual) : undefined;
  const e = expected ? summarize(expected) : undefined;
  if (!a || !e) {
    expect(a, label).toEqual(e);
    return;
  }
  const { mean: am, ...ar } = a as StatsSummary;
  const { mean: em, ...er } = e as StatsSummary;
  expect(ar, label).toEqual(er);
  expect(Math.abs(am - em) / Math.abs(em || 1), `${label} mean`).toBeLessThan(1e-9);
}

export const hrLine = (account: string, device: string, bpm: number, t: number) =>
  `heart_rate,account=${account},device=${device} bpm=${bpm} ${t}`;
