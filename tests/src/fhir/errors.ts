/**
 * Coded errors for the offline FHIR validator. They live here rather than in harness/errors.ts because
 * that catalog belongs to the server harness; the lead may fold them in (and into docs/errors.md).
 */
export type FhirValidatorErrorCode =
  /** The vendored fhir.schema.json does not hash to the pinned SHA-256: it was edited or replaced. */
  'HARNESS_ERR_FHIR_SCHEMA_PIN';

export const FHIR_VALIDATOR_ERRORS: Record<FhirValidatorErrorCode, string> = {
  HARNESS_ERR_FHIR_SCHEMA_PIN:
    'The vendored fhir.schema.json does not hash to the pinned SHA-256: it was edited or replaced.',
};

export class FhirValidatorError extends Error {
  readonly code: FhirValidatorErrorCode;

  constructor(code: FhirValidatorErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FhirValidatorError';
    this.code = code;
  }
}
