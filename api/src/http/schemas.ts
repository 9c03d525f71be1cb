import { Type } from 'typebox';

/** The body of every error response. */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'An API_ERR_* code from docs/errors.md.' }),
      message: Type.String(),
      details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  },
  { description: 'Error: { error: { code, message, details? } }' },
);

/** Response entries for the errors a bearer-protected route can produce, for the OpenAPI document. */
export const protectedRouteErrors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  500: ErrorBodySchema,
} as const;

export const BEARER_SECURITY = [{ bearerAuth: [] }];
