import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.js';

/**
 * An error response in the OpenAPI document: problem details under `application/problem+json`, the
 * content type the error handler sends (Fastify serializes by the reply's media type, ignoring charset).
 */
export const ProblemResponse = {
  description: 'RFC 9457 problem details; `code` is listed in docs/errors.md.',
  content: { [PROBLEM_CONTENT_TYPE.split(';')[0]!]: { schema: ProblemSchema } },
};

export { ProblemResponse as ErrorBodySchema };

/** Response entries for the errors a protected route can produce, for the OpenAPI document. */
export const protectedRouteErrors = {
  400: ProblemResponse,
  401: ProblemResponse,
  403: ProblemResponse,
  500: ProblemResponse,
} as const;

export const BEARER_SECURITY: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { sessionCookie: [] }];
