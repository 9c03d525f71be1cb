import type { Migration } from './types.js';

/** Placeholder: the orgs context's tables (issue 16) are being written. */
export const orgsMigration: Migration = {
  id: '0016_orgs',
  sql: 'SELECT 1;',
};
