import type { ErrorCatalog } from '../../http/problem.js';

/** Errors of the FHIR R4 routes; they leave as an OperationOutcome (docs/fhir.md "Errors"), not problem details. */
export const FHIR_ERRORS = {
  API_ERR_FHIR_UNKNOWN_PARAMETER: {
    status: 400,
    description:
      'A FHIR search names a parameter this server does not support for the resource, or repeats one that may appear once; `parameter` names it.',
  },
  API_ERR_FHIR_BAD_PARAMETER: {
    status: 400,
    description:
      'A FHIR search parameter has a value this server cannot use: a malformed or unsupported `date`/`_lastUpdated` (prefixes eq, ge, gt, le, lt), a `_count` that is not a whole number from 1, or a `_cursor` this server did not issue; `parameter` names it.',
  },
  API_ERR_FHIR_NOT_FOUND: {
    status: 404,
    description:
      'No FHIR resource with this type and id that the caller may see (another person’s Patient, an unknown or foreign Observation), or no FHIR route for the path.',
  },
} as const satisfies ErrorCatalog;
