/**
 * The R4 vital-signs profiles as data: which LOINC codings a profile's Observation.code must carry and
 * which UCUM codes its valueQuantity may use.
 * Sources: hl7.org/fhir/R4/observation-vitalsigns.html (the base profile and its per-measure profiles:
 * heartrate.html, resprate.html, bp.html, bodyweight.html, bodyheight.html, bmi.html, oxygensat.html,
 * bodytemp.html) and the UCUM bindings in valueset-ucum-vitals-common.html.
 */
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const VITAL_SIGNS_PROFILE = 'http://hl7.org/fhir/StructureDefinition/vitalsigns';

export interface ComponentRule {
  loinc: string;
  units: readonly string[];
}

export interface MeasureProfile {
  key: string;
  /** Canonical URL an Observation may claim in meta.profile; undefined for measures outside vital signs. */
  url: string | undefined;
  /** Every one of these LOINC codings must be present in Observation.code. */
  loinc: readonly string[];
  /** UCUM codes allowed in valueQuantity.code; empty when the value lives in components. */
  units: readonly string[];
  components: readonly ComponentRule[];
  /** False for measures that are not in the vital-signs value set and so must not claim the category. */
  vitalSign: boolean;
}

const SD = 'http://hl7.org/fhir/StructureDefinition';

export const MEASURE_PROFILES: readonly MeasureProfile[] = [
  {
    key: 'heartrate',
    url: `${SD}/heartrate`,
    loinc: ['8867-4'],
    units: ['/min'],
    components: [],
    vitalSign: true,
  },
  {
    key: 'resprate',
    url: `${SD}/resprate`,
    loinc: ['9279-1'],
    units: ['/min'],
    components: [],
    vitalSign: true,
  },
  {
    key: 'bp',
    url: `${SD}/bp`,
    loinc: ['85354-9'],
    units: [],
    // bp.html: SystolicBP 8480-6 and DiastolicBP 8462-4 are each 1..1, valueQuantity in mm[Hg].
    components: [
      { loinc: '8480-6', units: ['mm[Hg]'] },
      { loinc: '8462-4', units: ['mm[Hg]'] },
    ],
    vitalSign: true,
  },
  {
    key: 'bodyweight',
    url: `${SD}/bodyweight`,
    loinc: ['29463-7'],
    units: ['kg', 'g', '[lb_av]'],
    components: [],
    vitalSign: true,
  },
  {
    key: 'bodyheight',
    url: `${SD}/bodyheight`,
    loinc: ['8302-2'],
    units: ['cm', '[in_i]'],
    components: [],
    vitalSign: true,
  },
  { key: 'bmi', url: `${SD}/bmi`, loinc: ['39156-5'], units: ['kg/m2'], components: [], vitalSign: true },
  {
    key: 'oxygensat',
    url: `${SD}/oxygensat`,
    // R4 core oxygensat.html fixes 2708-6; US Core pulse oximetry (StructureDefinition-us-core-pulse-oximetry)
    // also requires 59408-5, and issue 15 asks for both so US Core clients accept the resource.
    loinc: ['2708-6', '59408-5'],
    units: ['%'],
    components: [],
    vitalSign: true,
  },
  {
    key: 'bodytemp',
    url: `${SD}/bodytemp`,
    loinc: ['8310-5'],
    units: ['Cel', '[degF]'],
    components: [],
    vitalSign: true,
  },
  {
    // 41982-0 "Percentage of body fat Measured" is not in valueset-observation-vitalsignresult.html, so a
    // body-fat Observation claiming the vital-signs category or profile would be a false claim.
    key: 'bodyfat',
    url: undefined,
    loinc: ['41982-0'],
    units: ['%'],
    components: [],
    vitalSign: false,
  },
];
