/**
 * Guideline-versioned classifiers for trends (issue 13): pure functions, no I/O. docs/classifiers.md lists
 * every scheme with its thresholds and citation.
 */
import { BMI_SCHEME_DATA, type BmiSchemeId } from './bmi.js';
import { type BpSchemeId, BUILT_IN_BP_SCHEMES } from './bp-schemes.js';

export {
  type BpCategory,
  type BpClassification,
  type BpClassifyOptions,
  type BpReading,
  bandFor,
  classifyBloodPressure,
  isUrgentBloodPressure,
  MIN_OCCASIONS,
  MIN_READINGS,
} from './blood-pressure.js';
export {
  ADULT_AGE_YEARS,
  BMI_SCHEME_DATA,
  type BmiBand,
  type BmiClassification,
  type BmiInput,
  type BmiScheme,
  type BmiSchemeId,
  bmiBandFor,
  classifyBmi,
} from './bmi.js';
export {
  type BpBand,
  type BpSchemeId,
  type BpSetting,
  BUILT_IN_BP_SCHEMES,
  type BuiltInBpScheme,
  type BuiltInBpSchemeId,
} from './bp-schemes.js';
export {
  CLASSIFY_ERRORS,
  ClassifyError,
  type ClassifyErrorCode,
  DISCLAIMER,
  type Disclaimer,
  type Source,
} from './common.js';
export {
  type CustomBpProgramme,
  CustomBpProgrammeSchema,
  type ProgrammeIssue,
  type ProgrammeValidation,
  validateCustomBpProgramme,
} from './custom-programme.js';
export { countOccasions, OCCASION_GAP_MS } from './occasions.js';

export interface SchemeInfo<Id extends string> {
  id: Id;
  /** null for `custom`: a programme carries its own version. */
  version: string | null;
  citation: string;
  url?: string;
}

/** The blood-pressure schemes a person can choose; `custom` takes its version from the stored programme. */
export const BP_SCHEMES: readonly SchemeInfo<BpSchemeId>[] = [
  ...Object.values(BUILT_IN_BP_SCHEMES).map(({ id, version, citation, url }) => ({
    id,
    version,
    citation,
    url,
  })),
  { id: 'custom', version: null, citation: 'A programme supplied as data (CustomBpProgrammeSchema).' },
];

export const BMI_SCHEMES: readonly SchemeInfo<BmiSchemeId>[] = Object.values(BMI_SCHEME_DATA).map(
  ({ id, version, citation, url }) =>
    url === undefined ? { id, version, citation } : { id, version, citation, url },
);
