import type { ErrorCatalog } from '../../http/problem.js';

/** Errors of the consent routes (`/v1/consents…`, docs/consents.md). */
export const CONSENTS_ERRORS = {
  API_ERR_CONSENT_UNKNOWN_PURPOSE: {
    status: 400,
    description:
      '`purpose` is none of service, product_analytics, marketing, research, care_programme or share:<partner>; `allowed` lists the fixed ones.',
  },
  API_ERR_CONSENT_BAD_PARTNER: {
    status: 400,
    description:
      'The partner of a `share:<partner>` purpose, or a `recipient`, is not an id of the form `^[a-z0-9][a-z0-9_-]{0,62}$`; `field` names which.',
  },
  API_ERR_CONSENT_UNKNOWN_CATEGORY: {
    status: 400,
    description: '`category` is not usage, health or contact.',
  },
  API_ERR_CONSENT_BAD_RECIPIENT: {
    status: 400,
    description: 'A `share:<partner>` consent names another recipient than that partner.',
  },
  API_ERR_CONSENT_BAD_CHANNEL: {
    status: 400,
    description: '`channel` is not console, api, cli or import.',
  },
  API_ERR_CONSENT_BAD_EXPIRY: {
    status: 400,
    description: '`expires_at` is not in the future.',
  },
  API_ERR_CONSENT_TEXT_UNKNOWN: {
    status: 400,
    description:
      '`text_version` is no version of this purpose’s consent text; `current_version` names the one to show.',
  },
  API_ERR_CONSENT_TEXT_OUTDATED: {
    status: 409,
    description:
      '`text_version` is an earlier version of the consent text; show the current one (`current_version`, GET /v1/consents) and grant again.',
  },
  API_ERR_CONSENT_TEXT_MISMATCH: {
    status: 409,
    description:
      '`text_sha256` is not the SHA-256 of the current text in any language: the text shown is not the one Linkwell holds.',
  },
  API_ERR_CONSENT_APP_FORBIDDEN: {
    status: 403,
    description:
      'An app’s access token called a consent route: only the person, in the console, the CLI or with a first-party token, sees and changes their consents.',
  },
} as const satisfies ErrorCatalog;
