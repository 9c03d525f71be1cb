import { HarnessError } from '../harness/errors.js';

/**
 * The offline FHIR validator's coded error: the pinned-schema check. Its code is in the harness catalog
 * (HARNESS_ERRORS, docs/errors.md) like every other test-infrastructure failure.
 */
export class FhirValidatorError extends HarnessError {
  constructor(message: string, options?: ErrorOptions) {
    super('HARNESS_ERR_FHIR_SCHEMA_PIN', message, options);
    this.name = 'FhirValidatorError';
  }
}
