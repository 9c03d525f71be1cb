import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

// What every marketer route of the CRM shares (docs/crm.md): the bearer security and tag, the id pattern of
// organisations, segments and destinations, and the problem responses.

export const guarded = { security: BEARER_SECURITY, tags: ['crm'] };
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const orgParams = Type.Object({ org: Id });
export const errors = {
  ...protectedRouteErrors,
  400: ProblemResponse,
  404: ProblemResponse,
  409: ProblemResponse,
  422: ProblemResponse,
};
