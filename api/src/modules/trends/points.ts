import type { Static } from 'typebox';
import type { InfluxSeries } from '../../influx/client.js';
import type { TrendPointSchema } from './schemas.js';

export type TrendPoint = Static<typeof TrendPointSchema>;

function column(series: InfluxSeries, name: string): number {
  const i = series.columns.indexOf(name);
  if (i < 0) throw new Error(`InfluxDB series ${series.name} has no ${name} column`);
  return i;
}

/** Turns /query rows (epoch=ms) into points, dropping empty buckets and sorting by time. */
export function toTrendPoints(series: readonly InfluxSeries[]): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (const s of series) {
    const [t, count, mean, min, max] = [
      column(s, 'time'),
      column(s, 'count'),
      column(s, 'mean'),
      column(s, 'min'),
      column(s, 'max'),
    ] as const;
    for (const row of s.values) {
      const n = Number(row[count]);
      if (!(n > 0)) continue;
      points.push({
        t: new Date(Number(row[t])).toISOString(),
        count: n,
        mean: Number(row[mean]),
        min: Number(row[min]),
        max: Number(row[max]),
      });
    }
  }
  return points.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
}
