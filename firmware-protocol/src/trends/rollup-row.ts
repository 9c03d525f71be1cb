import { rollupField } from '../catalog/storage.js';
import type { StatsPiece } from './value-stats.js';

/**
 * A value distribution as text for a string field: `value:count` pairs in ascending value order, values
 * printed by JavaScript's shortest round-trip form so decoding gives back the same doubles.
 */
export function encodeHistogram(hist: ReadonlyMap<number, number>): string {
  return [...hist.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([v, c]) => `${v}:${c}`)
    .join(',');
}

export function decodeHistogram(text: string): Map<number, number> {
  const out = new Map<number, number>();
  if (text === '') return out;
  for (const pair of text.split(',')) {
    const i = pair.lastIndexOf(':');
    const v = Number(pair.slice(0, i));
    const c = Number(pair.slice(i + 1));
    if (i <= 0 || !Number.isFinite(v) || !Number.isSafeInteger(c) || c <= 0)
      throw new RangeError(`bad histogram entry ${JSON.stringify(pair)}`);
    out.set(v, (out.get(v) ?? 0) + c);
  }
  return out;
}

/** The fields of one rolled-up value field, as they are written (count, minutes and the instants are integers). */
export function rollupFieldValues(field: string, p: StatsPiece): Record<string, number | string> {
  return {
    [rollupField(field, 'count')]: p.count,
    [rollupField(field, 'sum')]: p.sum,
    [rollupField(field, 'min')]: p.min,
    [rollupField(field, 'max')]: p.max,
    [rollupField(field, 'first')]: p.first,
    [rollupField(field, 'last')]: p.last,
    [rollupField(field, 'first_t')]: p.firstT,
    [rollupField(field, 'last_t')]: p.lastT,
    // A window that is exactly this row reads its percentiles here instead of the histogram.
    ...(p.quantiles
      ? {
          [rollupField(field, 'p10')]: p.quantiles.p10,
          [rollupField(field, 'median')]: p.quantiles.median,
          [rollupField(field, 'p90')]: p.quantiles.p90,
        }
      : {}),
    [rollupField(field, 'hist')]: encodeHistogram(p.hist),
    [rollupField(field, 'minutes')]: p.minutes,
  };
}

/** The piece in a queried rollup row (column name → value); undefined when the field has no values there. */
export function pieceFromRow(
  field: string,
  row: Readonly<Record<string, unknown>>,
  startMs: number,
  endMs: number,
): StatsPiece | undefined {
  const num = (
    stat: 'count' | 'sum' | 'min' | 'max' | 'first' | 'last' | 'first_t' | 'last_t' | 'minutes',
  ) => {
    const v = row[rollupField(field, stat)];
    return typeof v === 'number' ? v : Number.NaN;
  };
  const count = num('count');
  if (!(count > 0)) return undefined;
  const hist = row[rollupField(field, 'hist')];
  const [p10, median, p90] = [
    row[rollupField(field, 'p10')],
    row[rollupField(field, 'median')],
    row[rollupField(field, 'p90')],
  ];
  const quantiles =
    typeof p10 === 'number' && typeof median === 'number' && typeof p90 === 'number'
      ? { p10, median, p90 }
      : undefined;
  return {
    startMs,
    endMs,
    count,
    sum: num('sum'),
    min: num('min'),
    max: num('max'),
    first: num('first'),
    last: num('last'),
    firstT: num('first_t'),
    lastT: num('last_t'),
    hist: decodeHistogram(typeof hist === 'string' ? hist : ''),
    minutes: num('minutes'),
    ...(quantiles ? { quantiles } : {}),
    ...(typeof hist === 'string' ? {} : { histMissing: true }),
  };
}
