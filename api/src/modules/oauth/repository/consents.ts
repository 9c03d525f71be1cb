import type { SqlClient } from '../../../db/sql-client.js';

export interface ConsentRow {
  id: string;
  account_id: string;
  client_id: string;
  grant_id: string;
  granted_scopes: string[];
  refused_scopes: string[];
  consent_text_version: string;
  granted_at: string;
  withdrawn_at: string | null;
  withdrawn_by: 'person' | 'client' | 'platform' | null;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const norm = (r: ConsentRow): ConsentRow => ({
  ...r,
  granted_at: iso(r.granted_at) as string,
  withdrawn_at: iso(r.withdrawn_at),
});

/** The only SQL on `oauth_consents`: every consent decision, kept after withdrawal as the record of it. */
export function consentsRepository(db: SqlClient) {
  return {
    async insert(row: Omit<ConsentRow, 'withdrawn_at' | 'withdrawn_by'>): Promise<void> {
      await db.query(
        `INSERT INTO oauth_consents (id, account_id, client_id, grant_id, granted_scopes, refused_scopes,
           consent_text_version, granted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          row.id,
          row.account_id,
          row.client_id,
          row.grant_id,
          row.granted_scopes,
          row.refused_scopes,
          row.consent_text_version,
          row.granted_at,
        ],
      );
    },
    /** Marks every open consent of a grant withdrawn; returns the rows it closed. */
    async withdrawGrant(grantId: string, by: 'person' | 'client' | 'platform', nowIso: string) {
      const { rows } = await db.query<ConsentRow>(
        `UPDATE oauth_consents SET withdrawn_at = $2, withdrawn_by = $3
          WHERE grant_id = $1 AND withdrawn_at IS NULL RETURNING *`,
        [grantId, nowIso, by],
      );
      return rows.map(norm);
    },
    async forAccount(accountId: string): Promise<ConsentRow[]> {
      const { rows } = await db.query<ConsentRow>(
        'SELECT * FROM oauth_consents WHERE account_id = $1 ORDER BY granted_at DESC, id DESC',
        [accountId],
      );
      return rows.map(norm);
    },
  };
}
export type ConsentsRepository = ReturnType<typeof consentsRepository>;
