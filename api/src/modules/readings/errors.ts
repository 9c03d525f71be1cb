import type { ErrorCatalog } from '../../http/problem.js';

export const READINGS_ERRORS = {
  API_ERR_READING_NOT_FOUND: {
    status: 404,
    description:
      'No stored reading with this id that the caller may see: the id is malformed, the point is gone (moved or never stored), or it is another member’s who does not share with the caller.',
  },
  API_ERR_READING_MOVE_NOT_ALLOWED: {
    status: 403,
    description:
      'The caller can see this reading through a share but may not move it: only the member it belongs to, the adult who manages a dependent, or the household’s owner for a dependent moves a reading.',
  },
  API_ERR_READINGS_BAD_RANGE: {
    status: 400,
    description: '`from` must be before `to`.',
  },
} as const satisfies ErrorCatalog;
