import type { SqlClient } from '../../../db/sql-client.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ClientRow {
  client_id: string;
  owner_account_id: string;
  name: string;
  redirect_uris: string[];
  logo_uri: string | null;
  policy_uri: string | null;
  scopes: string[];
  grant_types: string[];
  token_endpoint_auth_method: ClientAuthMethod;
  secret_ciphertext: string | null;
  sandbox: boolean;
  created_at: string;
  updated_at: string;
  secret_rotated_at: string | null;
  disabled_at: string | null;
}

const COLUMNS = `client_id, owner_account_id, name, redirect_uris, logo_uri, policy_uri, scopes, grant_types,
  token_endpoint_auth_method, secret_ciphertext, sandbox, created_at, updated_at, secret_rotated_at, disabled_at`;

function normalise(row: ClientRow): ClientRow {
  const iso = (v: unknown) => (v === null ? null : new Date(v as string).toISOString());
  return {
    ...row,
    created_at: iso(row.created_at) as string,
    updated_at: iso(row.updated_at) as string,
    secret_rotated_at: iso(row.secret_rotated_at),
    disabled_at: iso(row.disabled_at),
  };
}

/** The only SQL on `oauth_clients`. */
export function clientsRepository(db: SqlClient) {
  return {
    async find(clientId: string): Promise<ClientRow | undefined> {
      const { rows } = await db.query<ClientRow>(
        `SELECT ${COLUMNS} FROM oauth_clients WHERE client_id = $1`,
        [clientId],
      );
      return rows[0] ? normalise(rows[0]) : undefined;
    },
    async listByOwner(ownerAccountId: string): Promise<ClientRow[]> {
      const { rows } = await db.query<ClientRow>(
        `SELECT ${COLUMNS} FROM oauth_clients WHERE owner_account_id = $1 ORDER BY created_at, client_id`,
        [ownerAccountId],
      );
      return rows.map(normalise);
    },
    async names(clientIds: readonly string[]): Promise<ClientRow[]> {
      if (clientIds.length === 0) return [];
      const { rows } = await db.query<ClientRow>(
        `SELECT ${COLUMNS} FROM oauth_clients WHERE client_id = ANY($1::text[])`,
        [clientIds],
      );
      return rows.map(normalise);
    },
    async insert(row: Omit<ClientRow, 'secret_rotated_at' | 'disabled_at' | 'updated_at'>): Promise<void> {
      await db.query(
        `INSERT INTO oauth_clients (client_id, owner_account_id, name, redirect_uris, logo_uri, policy_uri, scopes,
           grant_types, token_endpoint_auth_method, secret_ciphertext, sandbox, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
        [
          row.client_id,
          row.owner_account_id,
          row.name,
          row.redirect_uris,
          row.logo_uri,
          row.policy_uri,
          row.scopes,
          row.grant_types,
          row.token_endpoint_auth_method,
          row.secret_ciphertext,
          row.sandbox,
          row.created_at,
        ],
      );
    },
    async update(
      clientId: string,
      patch: Partial<
        Pick<ClientRow, 'name' | 'redirect_uris' | 'logo_uri' | 'policy_uri' | 'scopes' | 'sandbox'>
      >,
      nowIso: string,
    ): Promise<ClientRow | undefined> {
      const sets: string[] = [];
      const values: unknown[] = [clientId, nowIso];
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        values.push(value);
        sets.push(`${key} = $${values.length}`);
      }
      const { rows } = await db.query<ClientRow>(
        `UPDATE oauth_clients SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE client_id = $1 RETURNING ${COLUMNS}`,
        values,
      );
      return rows[0] ? normalise(rows[0]) : undefined;
    },
    async setSecret(clientId: string, ciphertext: string, nowIso: string): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE oauth_clients SET secret_ciphertext = $2, secret_rotated_at = $3, updated_at = $3
          WHERE client_id = $1 AND secret_ciphertext IS NOT NULL RETURNING 1`,
        [clientId, ciphertext, nowIso],
      );
      return rows.length > 0;
    },
    async disable(clientId: string, nowIso: string): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE oauth_clients SET disabled_at = $2, updated_at = $2 WHERE client_id = $1 AND disabled_at IS NULL
         RETURNING 1`,
        [clientId, nowIso],
      );
      return rows.length > 0;
    },
  };
}
export type ClientsRepository = ReturnType<typeof clientsRepository>;
