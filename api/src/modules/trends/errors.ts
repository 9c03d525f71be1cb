import type { ErrorCatalog } from '../../http/problem.js';
import { CLASSIFY_ERRORS } from './classify/common.js';

export const TRENDS_ERRORS = {
  API_ERR_BAD_TIME_RANGE: {
    status: 400,
    description:
      'The time range is well-formed but unusable: `from` is not before `to`, the range exceeds 400 days, or the window is longer than 400 days.',
  },
  API_ERR_WINDOW_TOO_FINE: {
    status: 400,
    description:
      'The window would split the range into more than 10 000 windows (or is under 1 second); `min_window` is the finest ISO 8601 duration allowed for this range and `max_windows` the limit.',
  },
  API_ERR_UNKNOWN_METRIC: {
    status: 404,
    description: 'No trend metric has this name; `metrics` lists the ones that exist (GET /v1/trends).',
  },
  API_ERR_BAD_TIME_ZONE: {
    status: 400,
    description:
      'The time zone is not an IANA zone name the server knows, e.g. Europe/Berlin or Asia/Shanghai.',
  },
  API_ERR_TREND_ACCOUNT_NOT_FOUND: {
    status: 404,
    description:
      'No account with this id shares its health data with you; one that exists but does not share is answered the same way.',
  },
  API_ERR_SOURCE_PRIORITY_INVALID: {
    status: 422,
    description:
      'The source priority list repeats a source or names one that never measured this metric for this person; `sources` lists the known ones.',
  },
  API_ERR_PROFILE_NOT_YOURS: {
    status: 403,
    description:
      'Only the person (or whoever manages a dependent) changes their health profile or source priority; sharing grants reading only.',
  },
  API_ERR_PROFILE_INCOMPLETE: {
    status: 409,
    description:
      'A derived value needs something the person has not recorded yet (birth date, height, a weight, a resting heart rate, a custom programme); `missing` names it.',
  },
  // The classifiers' codes belong to this module too: the docs list a module's codes under its heading.
  ...CLASSIFY_ERRORS,
} as const satisfies ErrorCatalog;
