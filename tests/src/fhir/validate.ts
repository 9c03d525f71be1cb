import { createRequire } from 'node:module';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { FHIR_SCHEMA_ID, type FhirSchemaDocument, loadPinnedSchema } from './schema-pin.js';

/** One structural problem found by the official schema. `path` is a JSON Pointer into the resource. */
export interface SchemaIssue {
  /** Index in Bundle.entry when the problem is inside an entry's resource. */
  entry?: number;
  /** 1-based line when validating NDJSON. */
  line?: number;
  path: string;
  keyword: string;
  message: string;
}

export interface SchemaResult {
  valid: boolean;
  issues: SchemaIssue[];
}

interface CompiledSchema {
  ajv: Ajv;
  resourceTypes: ReadonlySet<string>;
  compileMs: number;
}

let compiled: CompiledSchema | undefined;

/**
 * Ajv 8 over the HL7 draft-06 schema. Strict mode stays on except `strictTypes`: the HL7 file declares
 * `properties`/`pattern` without a sibling `type` in many places, which is valid draft-06 but trips that
 * one lint. `discriminator` is declared as an annotation keyword: we never validate against the root
 * `oneOf` (147–293 errors for one bad entry), only against `#/definitions/<resourceType>`, so the
 * OpenAPI-style mapping Ajv cannot evaluate is not needed.
 */
function compile(): CompiledSchema {
  if (compiled) return compiled;
  const started = performance.now();
  const doc = loadPinnedSchema();
  const require = createRequire(import.meta.url);
  const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject;
  // Ajv 8 only reads `$id`; draft-06 already spelled it `$id` but the HL7 file keeps the draft-04 `id`.
  const { id, ...rest } = doc;
  const ajv = new Ajv({ strictTypes: false, keywords: ['discriminator'], allErrors: true });
  ajv.addMetaSchema(draft06);
  ajv.addSchema({ ...rest, $id: id });
  const resourceTypes = new Set(Object.keys(doc.discriminator.mapping));
  for (const type of resourceTypes) validatorFor(ajv, type);
  compiled = { ajv, resourceTypes, compileMs: performance.now() - started };
  return compiled;
}

function validatorFor(ajv: Ajv, type: string): ValidateFunction {
  const fn = ajv.getSchema(`${FHIR_SCHEMA_ID}#/definitions/${type}`);
  if (!fn) throw new Error(`fhir.schema.json has no definition for ${type}`);
  return fn;
}

/** Compiles (once per process) and reports how long the first compile took, for the closing note. */
export function schemaStats(): { compileMs: number; resourceTypes: number } {
  const c = compile();
  return { compileMs: c.compileMs, resourceTypes: c.resourceTypes.size };
}

/** The raw pinned document, for tests that check it really is the HL7 R4 file. */
export function pinnedSchema(): FhirSchemaDocument {
  return loadPinnedSchema();
}

function toIssue(e: ErrorObject, prefix = ''): SchemaIssue {
  const extra =
    e.keyword === 'additionalProperties'
      ? `: ${String(e.params.additionalProperty)}`
      : e.keyword === 'enum'
        ? `: ${(e.params.allowedValues as unknown[]).join(', ')}`
        : '';
  return { path: prefix + e.instancePath, keyword: e.keyword, message: `${e.message ?? e.keyword}${extra}` };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates one resource against `#/definitions/<resourceType>` of the pinned schema. */
export function validateResource(resource: unknown): SchemaResult {
  const { ajv, resourceTypes } = compile();
  if (!isObject(resource) || typeof resource.resourceType !== 'string') {
    return result([
      { path: '/resourceType', keyword: 'required', message: 'not a FHIR resource: no resourceType' },
    ]);
  }
  if (!resourceTypes.has(resource.resourceType)) {
    return result([
      {
        path: '/resourceType',
        keyword: 'discriminator',
        message: `unknown R4 resourceType ${resource.resourceType}`,
      },
    ]);
  }
  const validate = validatorFor(ajv, resource.resourceType);
  return result(validate(resource) ? [] : (validate.errors ?? []).map((e) => toIssue(e)));
}

/**
 * Validates the Bundle shell, then each `entry[i].resource` on its own so a bad entry yields that
 * entry's precise errors (tagged with its index) instead of the root `oneOf` flood.
 */
export function validateBundle(bundle: unknown): SchemaResult {
  const { ajv } = compile();
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') {
    return result([{ path: '/resourceType', keyword: 'const', message: 'not a Bundle' }]);
  }
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  // The shell is checked without its resources (Bundle.entry.resource is 0..1): letting Ajv walk the
  // 146-branch ResourceList oneOf per entry costs ~0.5 ms an entry and says nothing the per-type check won't.
  const shell = Array.isArray(bundle.entry)
    ? { ...bundle, entry: entries.map((e) => (isObject(e) ? withoutResource(e) : e)) }
    : bundle;
  const validate = validatorFor(ajv, 'Bundle');
  validate(shell);
  const issues = (validate.errors ?? []).map((e) => toIssue(e));
  entries.forEach((entry, i) => {
    if (!isObject(entry) || entry.resource === undefined) return;
    for (const issue of validateResource(entry.resource).issues) {
      issues.push({ ...issue, entry: i, path: `/entry/${i}/resource${issue.path}` });
    }
  });
  return result(issues);
}

/** Validates FHIR Bulk Data NDJSON: one resource per line; a single trailing newline is allowed. */
export function validateNdjson(text: string): SchemaResult & { lines: number } {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const issues: SchemaIssue[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      issues.push({ line, path: '', keyword: 'json', message: `not JSON: ${(err as Error).message}` });
      return;
    }
    for (const issue of validateResource(parsed).issues) issues.push({ ...issue, line });
  });
  return { ...result(issues), lines: lines.length };
}

function withoutResource(entry: Record<string, unknown>): Record<string, unknown> {
  const { resource: _resource, ...rest } = entry;
  return rest;
}

function result(issues: SchemaIssue[]): SchemaResult {
  return { valid: issues.length === 0, issues };
}
