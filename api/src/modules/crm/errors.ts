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
  // Destinations (docs/crm.md "Destinations").
  API_ERR_CRM_DESTINATION_INVALID: {
    status: 400,
    description:
      'A destination field is wrong: an unknown kind, a recipient that is not a slug, an unknown purpose or sensitivity, health on a kind other than care_programme, or a missing client_id (profile_api) or url (webhook); `path` points at it.',
  },
  API_ERR_CRM_DESTINATION_NOT_FOUND: {
    status: 404,
    description: 'No destination with this id in this organisation.',
  },
  API_ERR_CRM_DESTINATION_NAME_TAKEN: {
    status: 409,
    description: 'The organisation already has a destination with this name.',
  },
  API_ERR_CRM_HEALTH_TO_ADS: {
    status: 422,
    description:
      'An ad-type destination (ads, hashed_csv) never receives health traits: refused when declared, when a segment using health traits is attached, and again at sync.',
  },
  API_ERR_CRM_SEGMENT_NOT_ACCEPTED: {
    status: 422,
    description:
      'The sensitivity verdict does not let this segment go to this destination (its purpose or most sensitive trait is not accepted); `reason` says which.',
  },
  API_ERR_CRM_DESTINATION_NO_SEGMENT: {
    status: 422,
    description: 'The destination has no segment attached, so a sync has nothing to send.',
  },
  API_ERR_CRM_NO_FILE: {
    status: 404,
    description:
      'There is no hashed CSV: the destination is not a hashed_csv or ads one, or no sync has produced a file yet.',
  },
  API_ERR_CRM_WEBHOOK_URL: {
    status: 400,
    description:
      'The webhook destination URL is not https to a public address (private, loopback, link-local and reserved ranges are refused); `reason` says why.',
  },
  API_ERR_CRM_PROFILE_NOT_FOUND: {
    status: 404,
    description:
      'No profile for this id: the same answer whether the subject is unknown, belongs to another client, or the person is not in (or no longer consents to) an approved destination.',
  },
  API_ERR_CRM_PROFILE_CLIENT_ONLY: {
    status: 403,
    description:
      'The Profile API takes an integration’s client-credentials token, not a token acting for a person.',
  },
} as const satisfies ErrorCatalog;
