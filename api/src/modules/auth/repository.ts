import type { SqlClient } from '../../db/sql-client.js';

export type Intent = 'signin' | 'link' | 'stepup';

export interface TransactionRow {
  state_hash: string;
  provider: string;
  client_id: string;
  redirect_uri: string;
  nonce: string | null;
  code_verifier: string;
  intent: Intent;
  account_id: string | null;
  session_id: string | null;
  browser_binding_hash: string;
  return_to: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface SessionRow {
  id: string;
  account_id: string;
  created_at: Date;
  authenticated_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

/** The only SQL on signin_transactions, sessions and refresh_tokens. */
export function createAuthRepository(sql: SqlClient) {
  const one = async <T>(text: string, params: unknown[]) => (await sql.query<T>(text, params)).rows[0];
  return {
    insertTransaction: (t: Omit<TransactionRow, 'used_at'>) =>
      sql.query(
        `INSERT INTO signin_transactions (state_hash, provider, client_id, redirect_uri, nonce, code_verifier, intent,
           account_id, session_id, browser_binding_hash, return_to, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          t.state_hash,
          t.provider,
          t.client_id,
          t.redirect_uri,
          t.nonce,
          t.code_verifier,
          t.intent,
          t.account_id,
          t.session_id,
          t.browser_binding_hash,
          t.return_to,
          t.created_at,
          t.expires_at,
        ],
      ),
    transaction: (stateHash: string) =>
      one<TransactionRow>('SELECT * FROM signin_transactions WHERE state_hash = $1', [stateHash]),
    /** Spends the transaction; undefined when it was already spent (a replay, or a concurrent callback). */
    spendTransaction: (stateHash: string, at: Date) =>
      one<TransactionRow>(
        'UPDATE signin_transactions SET used_at = $2 WHERE state_hash = $1 AND used_at IS NULL RETURNING *',
        [stateHash, at],
      ),
    deleteExpiredTransactions: (before: Date) =>
      sql.query('DELETE FROM signin_transactions WHERE expires_at < $1', [before]),

    insertSession: (s: SessionRow & { token_hash: string; ip: string | null; user_agent: string | null }) =>
      sql.query(
        `INSERT INTO sessions (id, token_hash, account_id, created_at, authenticated_at, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          s.id,
          s.token_hash,
          s.account_id,
          s.created_at,
          s.authenticated_at,
          s.expires_at,
          s.ip,
          s.user_agent,
        ],
      ),
    sessionByToken: (tokenHash: string) =>
      one<SessionRow>(
        'SELECT id, account_id, created_at, authenticated_at, expires_at, revoked_at FROM sessions WHERE token_hash = $1',
        [tokenHash],
      ),
    session: (id: string) =>
      one<SessionRow>(
        'SELECT id, account_id, created_at, authenticated_at, expires_at, revoked_at FROM sessions WHERE id = $1',
        [id],
      ),
    markAuthenticated: (id: string, at: Date) =>
      sql.query('UPDATE sessions SET authenticated_at = $2 WHERE id = $1', [id, at]),
    revokeSession: (id: string, at: Date, reason: string) =>
      sql.query(
        'UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL',
        [id, at, reason],
      ),
    revokeAccountSessions: (accountId: string, at: Date, reason: string) =>
      sql.query(
        'UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE account_id = $1 AND revoked_at IS NULL',
        [accountId, at, reason],
      ),

    insertRefreshToken: (r: {
      token_hash: string;
      family_id: string;
      session_id: string;
      created_at: Date;
      expires_at: Date;
    }) =>
      sql.query(
        `INSERT INTO refresh_tokens (token_hash, family_id, session_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [r.token_hash, r.family_id, r.session_id, r.created_at, r.expires_at],
      ),
    refreshToken: (tokenHash: string) =>
      one<{
        token_hash: string;
        family_id: string;
        session_id: string;
        expires_at: Date;
        used_at: Date | null;
        revoked_at: Date | null;
      }>(
        'SELECT token_hash, family_id, session_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1',
        [tokenHash],
      ),
    /** Marks the token used unless it already was: exactly one of two concurrent presentations wins. */
    spendRefreshToken: async (tokenHash: string, at: Date) =>
      (
        await sql.query(
          'UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING 1',
          [tokenHash, at],
        )
      ).rows.length === 1,
    revokeFamily: (familyId: string, at: Date) =>
      sql.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [
        familyId,
        at,
      ]),
    revokeSessionRefreshTokens: (sessionId: string, at: Date) =>
      sql.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL', [
        sessionId,
        at,
      ]),
  };
}

export type AuthRepository = ReturnType<typeof createAuthRepository>;
