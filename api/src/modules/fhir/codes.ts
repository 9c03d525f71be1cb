import { METRICS, type MetricName } from '@linkwell/firmware-protocol';

/**
 * What FHIR needs beyond the metric catalog. LOINC codes and UCUM units come from the catalog
 * (firmware-protocol/src/catalog/metrics.ts); this table adds only the profile each field claims, codings a
 * profile requires that the catalog does not list, and unit changes a profile requires.
 */

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** The R4 core vital-signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html). */
export const VITAL_SIGNS_PROFILES = {
  heartrate: 'http://hl7.org/fhir/StructureDefinition/heartrate',
  bp: 'http://hl7.org/fhir/StructureDefinition/bp',
  bodyweight: 'http://hl7.org/fhir/StructureDefinition/bodyweight',
  bodyheight: 'http://hl7.org/fhir/StructureDefinition/bodyheight',
  bmi: 'http://hl7.org/fhir/StructureDefinition/bmi',
  oxygensat: 'http://hl7.org/fhir/StructureDefinition/oxygensat',
  bodytemp: 'http://hl7.org/fhir/StructureDefinition/bodytemp',
} as const;
export type VitalSignsProfile = keyof typeof VITAL_SIGNS_PROFILES;

/** hl7.org/fhir/R4/observation-vitalsigns.html: the blood-pressure panel, its components and LOINC names. */
export const BP_PANEL = { code: '85354-9', display: 'Blood pressure panel with all children optional' };

export interface FieldMapping {
  /** The vital-signs profile this field's Observation claims; absent = not a vital sign, no category. */
  profile?: VitalSignsProfile;
  /** LOINC codes the profile fixes that the catalog does not list; they come first. */
  profileLoinc?: readonly string[];
  /** The profile's UCUM code when the catalog's is not allowed, and the factor from the catalog's unit. */
  unit?: { code: string; factor: number };
  /** Shown in `code.text`. */
  text: string;
}

// bodyheight allows `cm` or `[in_i]` only (hl7.org/fhir/R4/bodyheight.html); the catalog stores metres.
const HEIGHT: FieldMapping = {
  profile: 'bodyheight',
  unit: { code: 'cm', factor: 100 },
  text: 'Body height',
};
const WEIGHT: FieldMapping = { profile: 'bodyweight', text: 'Body weight' };
// The heartrate profile fixes 8867-4 (hl7.org/fhir/R4/heartrate.html); a pulse oximeter's 8889-8 follows it.
const PULSE: FieldMapping = { profile: 'heartrate', profileLoinc: ['8867-4'], text: 'Heart rate' };

/**
 * One Observation per listed field. Fields the table leaves out (energy, basal metabolism, muscle, water,
 * impedance, pulse amplitude index) have no LOINC code in the catalog and are not exported; the catalog
 * test in api/test/fhir-mapping.test.ts fails when a field gains a code without a row here.
 * Blood pressure's systolic, diastolic and mean arterial values are components of the panel instead.
 */
export const FHIR_FIELDS: { readonly [M in MetricName]: Readonly<Record<string, FieldMapping>> } = {
  heart_rate: {
    bpm: { profile: 'heartrate', text: 'Heart rate' },
    resting_bpm: { text: 'Resting heart rate' },
    rr_ms: { text: 'R-R interval' },
  },
  blood_pressure: { pulse: PULSE },
  body_weight: { weight: WEIGHT, bmi: { profile: 'bmi', text: 'Body mass index' }, height: HEIGHT },
  body_composition: {
    // 41982-0 is not in the R4 vital-signs value set (valueset-observation-vitalsignresult), so no category.
    fat_percent: { text: 'Body fat percentage' },
    fat_free_mass: { text: 'Fat-free mass' },
    weight: WEIGHT,
    height: HEIGHT,
  },
  // US Core pulse oximetry wants both 2708-6 and 59408-5; the catalog lists both.
  spo2: { spo2: { profile: 'oxygensat', profileLoinc: ['2708-6'], text: 'Oxygen saturation' }, pulse: PULSE },
  body_temperature: { temperature: { profile: 'bodytemp', text: 'Body temperature' } },
};

/** The panel's components, in this order, from the blood_pressure catalog entry. */
export const BP_COMPONENT_FIELDS = ['systolic', 'diastolic', 'mean_arterial'] as const;
/** The two the bp profile requires (component slices SystolicBP and DiastolicBP, 1..1 each). */
export const BP_REQUIRED_FIELDS = ['systolic', 'diastolic'] as const;

const UNIT_TEXT: Record<string, string> = {
  '/min': 'beats/minute',
  'mm[Hg]': 'mmHg',
  Cel: '°C',
};

export function unitText(ucum: string): string {
  return UNIT_TEXT[ucum] ?? ucum;
}

/** LOINC codes of a catalog field, the profile's own first, without repeats. */
export function loincCodes(metric: MetricName, field: string, mapping?: FieldMapping): string[] {
  const catalog =
    (METRICS[metric].fields as Record<string, { loinc?: readonly string[] }>)[field]?.loinc ?? [];
  return [...new Set([...(mapping?.profileLoinc ?? []), ...catalog])];
}

/** The catalog's UCUM unit of a field. */
export function catalogUnit(metric: MetricName, field: string): string | undefined {
  return (METRICS[metric].fields as Record<string, { ucum: string }>)[field]?.ucum;
}

export function isMetricName(m: string): m is MetricName {
  return Object.hasOwn(METRICS, m);
}
