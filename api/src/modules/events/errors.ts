import type { ErrorCatalog } from '../../http/problem.js';

export const EVENTS_ERRORS = {
  API_ERR_EVENTS_BAD_CURSOR: {
    status: 400,
    description: 'A change-feed cursor that this API did not return (docs/events.md).',
  },
} as const satisfies ErrorCatalog;
