// The FHIR R4 mapping's public surface: pure functions from Linkwell's views to R4 resources (docs/fhir.md),
// and the /fhir/R4 routes built on them (routes.ts, service.ts: the only files here that do I/O).
import type { FastifyPluginAsync } from 'fastify';
import { type FhirRoutesOptions, fhirRoutes } from './routes.js';

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
export { FHIR_ERRORS } from './errors.js';
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
  observationIdsOf,
  type ReadingInput,
  toObservation,
  toObservations,
} from './observation.js';
export { ERROR_CODE_SYSTEM, operationOutcome } from './outcome.js';
export { toPatient } from './patient.js';
export { createFhirService, deviceIdFor, type FhirService, missingFamily } from './service.js';
export type * from './types.js';
export type { FhirRoutesOptions };

/** FHIR R4 read endpoints under /fhir/R4 (metadata, Patient, Observation search and read). */
export const fhirModule: FastifyPluginAsync<FhirRoutesOptions> = async (app, opts) => {
  await app.register(fhirRoutes, { ...opts, prefix: '/fhir/R4' });
};
