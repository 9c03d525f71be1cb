import {
  HOUR_MS,
  METRICS,
  type MetricName,
  ROLLED_UP,
  type RollupResolution,
  rollupMeasurement,
} from '@linkwell/firmware-protocol';

/** A raw measurement that has rollups, with the value fields rolled up (storage.ts `ROLLED_UP`). */
export interface RolledMeasurement {
  measurement: string;
  fields: readonly string[];
  table: Record<RollupResolution, string>;
}

export const ROLLED: readonly RolledMeasurement[] = Object.freeze(
  Object.entries(ROLLED_UP).map(([name, fields]) => {
    const measurement = METRICS[name as MetricName].metric;
    return {
      measurement,
      fields: fields ?? [],
      table: { '1h': rollupMeasurement(measurement, '1h'), '1d': rollupMeasurement(measurement, '1d') },
    };
  }),
);

export const ROLLED_BY_MEASUREMENT: ReadonlyMap<string, RolledMeasurement> = new Map(
  ROLLED.map((r) => [r.measurement, r]),
);

export const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const ceilHour = (ms: number) => Math.ceil(ms / HOUR_MS) * HOUR_MS;
