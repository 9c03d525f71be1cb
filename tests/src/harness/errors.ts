/**
 * Coded errors so callers (and CI logs) can tell "install a package" apart from "the server broke"
 * without matching message text.
 */
export type HarnessErrorCode =
  /** A server binary is not installed; the message carries the exact install command. */
  | 'HARNESS_ERR_MISSING_BINARY'
  /** The server did not become ready in time; the message carries the tail of its log. */
  | 'HARNESS_ERR_START_TIMEOUT'
  /** The server (or a set-up step such as initdb) exited on its own; the message carries the tail of its log. */
  | 'HARNESS_ERR_EXITED'
  /** The vendored FHIR R4 schema does not hash to its pinned SHA-256 (tests/src/fhir/schema-pin.ts). */
  | 'HARNESS_ERR_FHIR_SCHEMA_PIN';

/** Runtime catalog of the codes above, so docs/errors.md can be checked against it. */
export const HARNESS_ERRORS: Record<HarnessErrorCode, string> = {
  HARNESS_ERR_MISSING_BINARY:
    'A server binary is not installed; the message carries the exact install command.',
  HARNESS_ERR_START_TIMEOUT:
    'The server did not become ready in time; the message carries the tail of its log.',
  HARNESS_ERR_EXITED:
    'The server or a set-up step (e.g. initdb) exited on its own; the message carries the tail of its log.',
  HARNESS_ERR_FHIR_SCHEMA_PIN:
    'The vendored HL7 FHIR R4 `fhir.schema.json` (`tests/vendor/fhir/`) does not hash to the SHA-256 pinned in `tests/src/fhir/schema-pin.ts`; re-vendor it as its README says.',
};

export class HarnessError extends Error {
  readonly code: HarnessErrorCode;

  constructor(code: HarnessErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
  }
}
