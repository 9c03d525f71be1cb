import { createRequire } from 'node:module';
import type { TSchema } from 'typebox';
import type { Validator } from 'typebox/compile';
import { ProtocolError } from '../errors.js';

export interface EnvelopeIssue {
  path: string;
  message: string;
}

const requireHere = createRequire(import.meta.url);

/**
 * A validator for `schema`, compiled on its first call. typebox's compiler is about 300 ESM modules (~4 MB
 * of RSS, docs/benchmarks.md bench:gateway) and the parsers below are built when the contract is imported,
 * so it would be loaded by every process that imports the contract, including a gateway that only ever
 * parses the rare command. It is required on first use instead (Node ≥ 20.19 loads ESM through require).
 */
export function compileOnFirstUse(schema: TSchema): () => Validator {
  let compiled: Validator | undefined;
  return () => {
    compiled ??= (requireHere('typebox/compile') as typeof import('typebox/compile')).Compile(schema);
    return compiled;
  };
}

/**
 * Builds a parser for one payload schema: JSON text or bytes in, typed value out, or a ProtocolError with
 * at most 10 `{ path, message }` issues (a hostile payload cannot flood the logs).
 */
export function payloadParser<T>(
  schema: TSchema,
  what: string,
  version: number,
): (payload: Uint8Array | string) => T {
  const validator = compileOnFirstUse(schema);
  return (payload) => {
    const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ProtocolError('PROTO_ERR_INVALID_JSON', `${what}: ${(e as Error).message}`);
    }
    if (typeof data === 'object' && data !== null && 'v' in data && data.v !== version) {
      throw new ProtocolError(
        'PROTO_ERR_UNSUPPORTED_VERSION',
        `${what} version ${String(data.v)} is not ${version}`,
      );
    }
    const check = validator();
    if (!check.Check(data)) {
      const issues: EnvelopeIssue[] = [];
      for (const err of check.Errors(data)) {
        issues.push({ path: err.instancePath || '/', message: err.message ?? 'invalid' });
        if (issues.length >= 10) break;
      }
      const first = issues[0];
      throw new ProtocolError(
        'PROTO_ERR_INVALID_ENVELOPE',
        first ? `${what} ${first.path}: ${first.message}` : `${what} does not match the v${version} schema`,
        undefined,
        issues,
      );
    }
    return data as T;
  };
}
