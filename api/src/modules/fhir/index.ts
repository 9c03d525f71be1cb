// The FHIR R4 mapping's public surface: pure functions from Linkwell's views to R4 resources (docs/fhir.md).
// No routes, SQL or I/O here; the FHIR routes build on these.
export { type SearchsetOptions, searchsetBundle } from './bundle.js';
export { type CapabilityOptions, capabilityStatement } from './capability.js';
export {
  BP_PANEL,
  FHIR_FIELDS,
  LOINC,
  OBSERVATION_CATEGORY,
  UCUM,
  VITAL_SIGNS_PROFILES,
} from './codes.js';
export { type DeviceInput, type DeviceOptions, toDevice } from './device.js';
export {
  CLASSIFICATION_CODE_SYSTEM,
  type ClassificationInput,
  EXTENSION_URLS,
} from './extensions.js';
export {
  FHIR_ID,
  fromFhirId,
  type ObservationIdParts,
  observationId,
  parseObservationId,
  readingMatches,
  toFhirId,
} from './ids.js';
export {
  type ObservationContext,
  type ReadingInput,
  toObservation,
  toObservations,
} from './observation.js';
export { toPatient } from './patient.js';
export type * from './types.js';
