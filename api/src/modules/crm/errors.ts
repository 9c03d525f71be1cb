import type { ErrorCatalog } from '../../http/problem.js';

/**
 * Errors of the CRM context (issue 16, docs/crm.md). Append-only: the segment and trait parts each add
 * their codes here.
 */
export const CRM_ERRORS = {
  // Segment rules (docs/crm.md "Segments"): refused before any SQL is built.
  API_ERR_CRM_RULE_SHAPE: {
    status: 400,
    description:
      'A segment rule node is not one of the rule forms (and, or, not, trait, activity, last_seen, segment) or lacks a member; `path` points at it.',
  },
  API_ERR_CRM_RULE_FIELD: {
    status: 400,
    description:
      'A trait comparison names a field the computed-trait catalog does not declare; only catalog names reach SQL. `path` points at it.',
  },
  API_ERR_CRM_RULE_OPERATOR: {
    status: 400,
    description:
      'The operator is unknown, or not one the trait’s type takes (e.g. `<` on an enum); `allowed` lists those it takes.',
  },
  API_ERR_CRM_RULE_VALUE: {
    status: 400,
    description:
      'A rule value has the wrong type, lies outside the trait’s range, is not one of an enum’s values, or is too long; `path` points at it.',
  },
  API_ERR_CRM_RULE_TOO_LARGE: {
    status: 400,
    description: 'The rule has more than 200 nodes, nests deeper than 8, or a list longer than 50.',
  },
  API_ERR_CRM_SEGMENT_CYCLE: {
    status: 400,
    description:
      'Segment membership references form a cycle, or reach more than 5 segments deep; `chain` lists the segment ids.',
  },
  API_ERR_CRM_SEGMENT_NOT_FOUND: {
    status: 404,
    description:
      'No segment with this id in this organisation (a rule may only reference its own organisation’s).',
  },
  API_ERR_CRM_SEGMENT_NAME_TAKEN: {
    status: 409,
    description: 'The organisation already has a segment with this name.',
  },
  API_ERR_CRM_SEGMENT_IN_USE: {
    status: 409,
    description: 'Another segment’s rule references this one; change that rule first. `used_by` lists them.',
  },
  API_ERR_CRM_BAD_PURPOSE: {
    status: 400,
    description:
      'The segment purpose is not one of service, product_analytics, marketing, research, care_programme or share:<partner>.',
  },
  // k-anonymity (docs/crm.md "k-anonymity and differencing").
  API_ERR_CRM_BELOW_K: {
    status: 422,
    description:
      'The count, export or audience would cover fewer than k distinct people (k = 100 unless configured higher); nothing is released.',
  },
  API_ERR_CRM_DIFFERENCING: {
    status: 422,
    description:
      'Compared with a count this organisation was given in the last 30 days, this one differs by fewer than k people (but more than none), so the two together would single people out; nothing is released.',
  },
  API_ERR_CRM_BAD_K: {
    status: 400,
    description: 'k may only be raised above the platform floor of 100, never lowered.',
  },
  API_ERR_CRM_REPORT_UNAVAILABLE: {
    status: 503,
    description:
      'The report’s input is not there yet (the tier-migration matrix needs the monthly grade history that trait computation keeps).',
  },
} as const satisfies ErrorCatalog;
