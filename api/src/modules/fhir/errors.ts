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
  API_ERR_FHIR_PREFER_ASYNC_REQUIRED: {
    status: 400,
    description:
      'A bulk export kick-off (`$export`) came without the header `Prefer: respond-async`, which the FHIR Bulk Data specification requires.',
  },
  API_ERR_FHIR_EXPORT_FAILED: {
    status: 500,
    description:
      'A bulk export job failed while writing its files; its status URL answers with this OperationOutcome until the job expires. Start a new export.',
  },
} as const satisfies ErrorCatalog;
