import type { ErrorCatalog } from '../../http/problem.js';

export const TRENDS_ERRORS = {
  API_ERR_BAD_TIME_RANGE: {
    status: 400,
    description:
      'The time range is well-formed but unusable: `from` is not before `to`, the range exceeds 400 days, the window exceeds the range limit, or it would produce more than 10 000 buckets.',
  },
} as const satisfies ErrorCatalog;
