import { CodedError } from '@linkwell/firmware-protocol';

/**
 * The rollup worker's codes. Kept beside the worker until they join INGEST_ERRORS and docs/errors.md (the
 * catalog test there checks both together, and docs/errors.md is not this module's to edit).
 */
export const ROLLUP_ERRORS = {
  INGEST_ERR_ROLLUP_QUERY:
    'An InfluxQL read or delete of the rollup worker failed (unreachable or refused); the cycle fails, the cursor stays and the next cycle redoes the work.',
  INGEST_ERR_ROLLUP_WRITE:
    'InfluxDB did not accept rollup rows after retries; the cycle fails, the cursor stays and the next cycle redoes the work.',
  INGEST_ERR_ROLLUP_STATE:
    'The rollup worker could not read or write rollup_state, rollup_requests or the zone history in the registry; the cycle fails and is retried.',
  INGEST_ERR_ROLLUP_CURSOR_MOVED:
    'The rollup cursor changed under this node (another worker advanced it); this cycle records nothing and the next one starts from the new cursor.',
  INGEST_ERR_ROLLUP_UNSUPPORTED:
    'Rollups need InfluxQL DELETE (InfluxDB 1.x); on 2.x and 3.x the worker does not start and the API reads raw points.',
} as const;

export type RollupErrorCode = keyof typeof ROLLUP_ERRORS;

export class RollupError extends CodedError<RollupErrorCode> {}

/** The error's code, or `fallback` for an uncoded one (e.g. a TypeError). */
export function codeOf(err: unknown, fallback: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /_ERR_/.test(code) ? code : fallback;
}
