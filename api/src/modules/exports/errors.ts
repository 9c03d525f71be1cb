import type { ErrorCatalog } from '../../http/problem.js';

/** Errors of GET /v1/export (docs/fhir.md "CSV and NDJSON export"). */
export const EXPORT_ERRORS = {
  API_ERR_EXPORT_BAD_RANGE: {
    status: 400,
    description: 'An export’s `from` is not before its `to`, or lies before 1970.',
  },
} as const satisfies ErrorCatalog;
