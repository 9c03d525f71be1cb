import type { Migration } from './types.js';

/** Placeholder: the crm context's tables (issue 16) are being written. */
export const crmTraitsMigration: Migration = {
  id: '0018_crm_traits',
  sql: 'SELECT 1;',
};
