/**
 * Canonical metric catalog: one entry per metric family (= InfluxDB measurement), with each field's UCUM
 * unit, LOINC code(s) and a physiologically plausible range. Ingest dead-letters values outside the range.
 * Devices may report other units (kPa, lb, in, °F); the gateway converts with `toCanonical` and keeps the
 * device's unit in the reading's `orig_unit`.
 */
export interface MetricField {
  /** Field name in the envelope's `values` and in InfluxDB. */
  name: string;
  ucum: string;
  loinc?: readonly string[];
  plausible: { min: number; max: number };
}

export interface MetricDefinition {
  /** InfluxDB measurement and envelope `metric`. */
  metric: string;
  /** The field used for trends. */
  primary: string;
  fields: Record<string, MetricField>;
}

const f = (name: string, ucum: string, min: number, max: number, loinc?: string[]): MetricField => ({
  name,
  ucum,
  plausible: { min, max },
  ...(loinc ? { loinc } : {}),
});

export const METRICS = {
  heart_rate: {
    metric: 'heart_rate',
    primary: 'bpm',
    fields: {
      // LOINC 8867-4 "Heart rate"; the band covers neonates to maximal exercise.
      bpm: f('bpm', '/min', 20, 300, ['8867-4']),
      // LOINC 40443-4 "Heart rate --resting", for devices that report their own resting value.
      resting_bpm: f('resting_bpm', '/min', 20, 200, ['40443-4']),
      energy_kj: f('energy_kj', 'kJ', 0, 65535),
      rr_ms: f('rr_ms', 'ms', 150, 3000, ['8637-1']),
    },
  },
  blood_pressure: {
    metric: 'blood_pressure',
    primary: 'systolic',
    fields: {
      systolic: f('systolic', 'mm[Hg]', 40, 300, ['8480-6']),
      diastolic: f('diastolic', 'mm[Hg]', 20, 200, ['8462-4']),
      mean_arterial: f('mean_arterial', 'mm[Hg]', 30, 250, ['8478-0']),
      pulse: f('pulse', '/min', 20, 300, ['8867-4']),
    },
  },
  body_weight: {
    metric: 'body_weight',
    primary: 'weight',
    fields: {
      weight: f('weight', 'kg', 0.5, 650, ['29463-7']),
      bmi: f('bmi', 'kg/m2', 5, 150, ['39156-5']),
      height: f('height', 'm', 0.3, 2.8, ['8302-2']),
    },
  },
  body_composition: {
    metric: 'body_composition',
    primary: 'fat_percent',
    fields: {
      fat_percent: f('fat_percent', '%', 1, 80, ['41982-0']),
      basal_metabolism: f('basal_metabolism', 'kJ', 1000, 25000),
      muscle_percent: f('muscle_percent', '%', 5, 90),
      muscle_mass: f('muscle_mass', 'kg', 1, 300),
      fat_free_mass: f('fat_free_mass', 'kg', 1, 300, ['91557-8']),
      soft_lean_mass: f('soft_lean_mass', 'kg', 1, 300),
      water_mass: f('water_mass', 'kg', 1, 300),
      impedance: f('impedance', 'Ohm', 50, 2000),
      weight: f('weight', 'kg', 0.5, 650, ['29463-7']),
      height: f('height', 'm', 0.3, 2.8, ['8302-2']),
    },
  },
  spo2: {
    metric: 'spo2',
    primary: 'spo2',
    fields: {
      // 59408-5 "SpO2 by pulse oximetry"; 2708-6 is the generic arterial saturation code.
      spo2: f('spo2', '%', 50, 100, ['59408-5', '2708-6']),
      pulse: f('pulse', '/min', 20, 300, ['8889-8']),
      pulse_amplitude_index: f('pulse_amplitude_index', '%', 0, 100),
    },
  },
  body_temperature: {
    metric: 'body_temperature',
    primary: 'temperature',
    fields: {
      temperature: f('temperature', 'Cel', 25, 45, ['8310-5']),
    },
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

export function metricDefinition(name: string): MetricDefinition | undefined {
  return (METRICS as Record<string, MetricDefinition>)[name];
}
