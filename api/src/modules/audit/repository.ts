import type { SqlClient } from '../../db/sql-client.js';

export interface AuditRow {
  id: string;
  account_id: string;
  at: Date;
  action: string;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

/** The only SQL on audit_log. */
export function createAuditRepository(sql: SqlClient) {
  return {
    insert: (e: Omit<AuditRow, 'id'>) =>
      sql.query(
        'INSERT INTO audit_log (account_id, at, action, ip, user_agent, details) VALUES ($1, $2, $3, $4, $5, $6)',
        [e.account_id, e.at, e.action, e.ip, e.user_agent, JSON.stringify(e.details)],
      ),
    /** Newest first; `before` is an id from a previous page. */
    list: async (accountId: string, limit: number, before?: string) =>
      (
        await sql.query<AuditRow>(
          `SELECT id::text AS id, account_id, at, action, ip, user_agent, details FROM audit_log
           WHERE account_id = $1 AND ($3::bigint IS NULL OR audit_log.id < $3::bigint)
           ORDER BY audit_log.id DESC LIMIT $2`,
          [accountId, limit, before ?? null],
        )
      ).rows,
  };
}
