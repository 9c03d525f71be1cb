import type { ErrorCatalog } from '../../http/problem.js';

export const EVENTS_ERRORS = {
  API_ERR_EVENTS_BAD_CURSOR: {
    status: 400,
    description:
      '`since` is not a cursor this API returned (malformed, edited or truncated). Resume from a `next` you kept.',
  },
} as const satisfies ErrorCatalog;
