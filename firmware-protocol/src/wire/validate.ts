import { Compile, type XSchema } from 'typebox/schema';
import { ProtocolError } from '../errors.js';

export interface EnvelopeIssue {
  path: string;
  message: string;
}

/**
 * Builds a parser for one payload schema: JSON text or bytes in, typed value out, or a ProtocolError with
 * at most 10 `{ path, message }` issues (a hostile payload cannot flood the logs).
 */
export function payloadParser<T>(
  schema: XSchema,
  what: string,
  version: number,
): (payload: Uint8Array | string) => T {
  const check = Compile(schema);
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
    if (!check.Check(data)) {
      const issues: EnvelopeIssue[] = [];
      for (const err of check.Errors(data)[1]) {
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
