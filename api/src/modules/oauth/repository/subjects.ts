import type { SqlClient } from '../../../db/sql-client.js';

/** The only SQL on `oauth_subjects` and `oauth_connection_events`. */
export function subjectsRepository(db: SqlClient) {
  return {
    /** Records subject → account once; the HMAC makes the pair stable, so a repeat is a no-op. */
    async remember(subject: string, sector: string, accountId: string, nowIso: string): Promise<void> {
      await db.query(
        `INSERT INTO oauth_subjects (subject, sector, account_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [subject, sector, accountId, nowIso],
      );
    },
    async resolve(subject: string): Promise<{ sector: string; accountId: string } | undefined> {
      const { rows } = await db.query<{ sector: string; account_id: string }>(
        'SELECT sector, account_id FROM oauth_subjects WHERE subject = $1',
        [subject],
      );
      const row = rows[0];
      return row ? { sector: row.sector, accountId: row.account_id } : undefined;
    },
    async subjectOf(sector: string, accountId: string): Promise<string | undefined> {
      const { rows } = await db.query<{ subject: string }>(
        'SELECT subject FROM oauth_subjects WHERE sector = $1 AND account_id = $2',
        [sector, accountId],
      );
      return rows[0]?.subject;
    },
  };
}
export type SubjectsRepository = ReturnType<typeof subjectsRepository>;

export interface ConnectionEvent {
  id: string;
  type: 'connection.revoked';
  client_id: string;
  subject: string;
  payload: Record<string, unknown>;
  occurred_at: string;
}

export function connectionEventsRepository(db: SqlClient) {
  return {
    async append(event: ConnectionEvent): Promise<void> {
      await db.query(
        `INSERT INTO oauth_connection_events (id, type, client_id, subject, payload, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          event.id,
          event.type,
          event.client_id,
          event.subject,
          JSON.stringify(event.payload),
          event.occurred_at,
        ],
      );
    },
    async forClient(clientId: string, limit: number): Promise<ConnectionEvent[]> {
      const { rows } = await db.query<ConnectionEvent>(
        `SELECT id, type, client_id, subject, payload, occurred_at FROM oauth_connection_events
          WHERE client_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2`,
        [clientId, limit],
      );
      return rows.map((r) => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() }));
    },
  };
}
