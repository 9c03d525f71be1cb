import { Type } from 'typebox';

/** A code's HTTP status and its one-line meaning; docs/errors.md repeats every entry (a test checks). */
export type ErrorCatalog = Record<string, { status: number; description: string }>;

/**
 * RFC 9457 problem details with Linkwell's `code` extension. `type` is a relative URI the API serves
 * (`GET /problems/{code}`), so a client can always look up what a code means.
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

// RFC 9457 §3.1 members; an error's extra details may not override them.
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'instance', 'code']);

export function problemTypeOf(code: string): string {
  return `/problems/${code}`;
}

export function toProblem(
  code: string,
  status: number,
  title: string,
  detail: string,
  extensions?: Record<string, unknown>,
): ProblemDetails {
  const problem: ProblemDetails = { type: problemTypeOf(code), title, status, detail, code };
  for (const [k, v] of Object.entries(extensions ?? {})) if (!RESERVED.has(k)) problem[k] = v;
  return problem;
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A relative URI naming the problem type: /problems/{code}.' }),
    title: Type.String({ description: 'The short, fixed meaning of the code.' }),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong with this request.' }),
    code: Type.String({ description: 'An API_ERR_* code from docs/errors.md; clients branch on it.' }),
    instance: Type.Optional(Type.String()),
  },
  {
    additionalProperties: true,
    description: 'RFC 9457 problem details (application/problem+json) with a `code` extension.',
  },
);
