import type { Migration } from './types.js';

/** Placeholder: the consents context's tables (issue 16) are being written. */
export const consentsMigration: Migration = {
  id: '0015_consents',
  sql: 'SELECT 1;',
};
