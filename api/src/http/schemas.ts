import { ProblemSchema } from './problem.js';

export { ProblemSchema as ErrorBodySchema };

/** Response entries for the errors a protected route can produce, for the OpenAPI document. */
export const protectedRouteErrors = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  500: ProblemSchema,
} as const;

export const BEARER_SECURITY: { [scheme: string]: string[] }[] = [{ bearerAuth: [] }, { sessionCookie: [] }];
