import type { Migration } from './types.js';

/** Placeholder: the crm context's tables (issue 16) are being written. */
export const crmSegmentsMigration: Migration = {
  id: '0019_crm_segments',
  sql: 'SELECT 1;',
};
