/**
 * Canonical metric catalog: one entry per measured quantity, with its UCUM unit, LOINC code and a
 * physiologically plausible range. Ingest dead-letters values outside the range instead of storing them.
 */
export interface MetricField {
  /** Field name in the envelope's `values` and in InfluxDB. */
  name: string;
  ucum: string;
  loinc?: string;
  plausible: { min: number; max: number };
}

export interface MetricDefinition {
  /** InfluxDB measurement and envelope `metric`. */
  metric: string;
  /** The field used for trends. */
  primary: string;
  fields: Record<string, MetricField>;
}

export const METRICS = {
  heart_rate: {
    metric: 'heart_rate',
    primary: 'bpm',
    fields: {
      // LOINC 8867-4 "Heart rate"; the plausible band covers neonates to maximal exercise.
      bpm: { name: 'bpm', ucum: '/min', loinc: '8867-4', plausible: { min: 20, max: 300 } },
      energy_kj: { name: 'energy_kj', ucum: 'kJ', plausible: { min: 0, max: 65535 } },
      rr_ms: { name: 'rr_ms', ucum: 'ms', loinc: '8637-1', plausible: { min: 150, max: 3000 } },
    },
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

export function metricDefinition(name: string): MetricDefinition | undefined {
  return (METRICS as Record<string, MetricDefinition>)[name];
}
