import type { SqlClient } from '../../db/sql-client.js';
import type { IdentityAssertion } from '../auth/index.js';

export interface AccountRow {
  id: string;
  display_name: string;
  created_at: Date;
  merged_into: string | null;
}

export interface IdentityRow {
  id: string;
  account_id: string;
  provider: string;
  issuer: string;
  subject: string;
  claims: IdentityAssertion['claims'];
  email_trusted: boolean;
  linked_at: Date;
  last_used_at: Date;
}

export interface MergeRow {
  id: string;
  target_account_id: string;
  source_account_id: string;
  merged_at: Date;
  undo_until: Date;
  undone_at: Date | null;
  inventory: Record<string, unknown>;
}

export interface MergeOfferRow {
  id: string;
  target_account_id: string;
  source_account_id: string;
  session_id: string;
  expires_at: Date;
  used_at: Date | null;
}

/** The only SQL on accounts, identities, identity_app_ids, link_suggestions, merge_offers, account_merges. */
export function createIdentityRepository(sql: SqlClient) {
  const one = async <T>(text: string, params: unknown[]): Promise<T | undefined> =>
    (await sql.query<T>(text, params)).rows[0];

  return {
    account: (id: string) => one<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]),
    /**
     * Locks these accounts' rows until the transaction ends (FOR UPDATE, in id order so two transactions
     * locking the same pair cannot deadlock) and returns them as they are once locked.
     */
    lockAccounts: async (ids: readonly string[]) =>
      (await sql.query<AccountRow>('SELECT * FROM accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE', [ids]))
        .rows,
    insertAccount: (id: string, displayName: string, at: Date) =>
      sql.query('INSERT INTO accounts (id, display_name, created_at) VALUES ($1, $2, $3)', [
        id,
        displayName,
        at,
      ]),
    setDisplayName: (id: string, displayName: string) =>
      sql.query('UPDATE accounts SET display_name = $2 WHERE id = $1', [id, displayName]),
    setMergedInto: (id: string, into: string | null) =>
      sql.query('UPDATE accounts SET merged_into = $2 WHERE id = $1', [id, into]),

    identityByKey: (provider: string, issuer: string, subject: string) =>
      one<IdentityRow>('SELECT * FROM identities WHERE provider = $1 AND issuer = $2 AND subject = $3', [
        provider,
        issuer,
        subject,
      ]),
    identity: (id: string) => one<IdentityRow>('SELECT * FROM identities WHERE id = $1', [id]),
    /** The email and OIDC phone_number claims of these accounts' identities, oldest link first (contacts.ts). */
    contactClaimsOf: async (accountIds: readonly string[]) =>
      (
        await sql.query<{ account_id: string; email: string | null; phone: string | null }>(
          `SELECT account_id, claims->>'email' AS email, claims->>'phone_number' AS phone FROM identities
            WHERE account_id = ANY($1::text[]) ORDER BY account_id, linked_at, id`,
          [[...accountIds]],
        )
      ).rows,
    identitiesOf: async (accountId: string) =>
      (
        await sql.query<IdentityRow>(
          'SELECT * FROM identities WHERE account_id = $1 ORDER BY linked_at, id',
          [accountId],
        )
      ).rows,
    /** Inserts unless the (provider, issuer, subject) key exists; false when another transaction won. */
    insertIdentity: async (id: string, accountId: string, a: IdentityAssertion, at: Date) =>
      (
        await sql.query(
          `INSERT INTO identities (id, account_id, provider, issuer, subject, claims, email_trusted, linked_at, last_used_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (provider, issuer, subject) DO NOTHING RETURNING id`,
          [id, accountId, a.provider, a.issuer, a.subject, JSON.stringify(a.claims), a.emailTrusted, at],
        )
      ).rows.length === 1,
    touchIdentity: (id: string, a: IdentityAssertion, at: Date) =>
      sql.query('UPDATE identities SET claims = $2, email_trusted = $3, last_used_at = $4 WHERE id = $1', [
        id,
        JSON.stringify(a.claims),
        a.emailTrusted,
        at,
      ]),
    addAppIds: async (identityId: string, appIds: IdentityAssertion['appIds']) => {
      for (const { appId, openid } of appIds) {
        await sql.query(
          'INSERT INTO identity_app_ids (identity_id, app_id, openid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [identityId, appId, openid],
        );
      }
    },
    deleteIdentity: (id: string) => sql.query('DELETE FROM identities WHERE id = $1', [id]),
    moveIdentities: async (from: string, to: string) =>
      (
        await sql.query<{ id: string }>(
          'UPDATE identities SET account_id = $2 WHERE account_id = $1 RETURNING id',
          [from, to],
        )
      ).rows.map((r) => r.id),
    setIdentityAccount: (ids: readonly string[], accountId: string) =>
      sql.query('UPDATE identities SET account_id = $2 WHERE id = ANY($1)', [ids, accountId]),

    /** Accounts (other than `exceptAccount`) with a trusted, verified identity asserting this e-mail. */
    accountsWithVerifiedEmail: async (email: string, exceptAccount: string) =>
      (
        await sql.query<{ account_id: string }>(
          `SELECT DISTINCT account_id FROM identities
           WHERE email_trusted AND (claims->>'email_verified') = 'true' AND lower(claims->>'email') = lower($1)
             AND account_id <> $2 ORDER BY account_id`,
          [email, exceptAccount],
        )
      ).rows.map((r) => r.account_id),
    insertSuggestion: (id: string, accountId: string, existing: string, identityId: string, at: Date) =>
      sql.query(
        'INSERT INTO link_suggestions (id, account_id, existing_account_id, identity_id, created_at) VALUES ($1, $2, $3, $4, $5)',
        [id, accountId, existing, identityId, at],
      ),
    openSuggestions: async (accountId: string) =>
      (
        await sql.query<{ id: string; existing_account_id: string; created_at: Date }>(
          `SELECT id, existing_account_id, created_at FROM link_suggestions
           WHERE account_id = $1 AND resolved_at IS NULL ORDER BY created_at, id`,
          [accountId],
        )
      ).rows,
    resolveSuggestions: (a: string, b: string, at: Date) =>
      sql.query(
        `UPDATE link_suggestions SET resolved_at = $3 WHERE resolved_at IS NULL
         AND ((account_id = $1 AND existing_account_id = $2) OR (account_id = $2 AND existing_account_id = $1))`,
        [a, b, at],
      ),
    providersOf: async (accountId: string) =>
      (
        await sql.query<{ provider: string }>(
          'SELECT DISTINCT provider FROM identities WHERE account_id = $1 ORDER BY provider',
          [accountId],
        )
      ).rows.map((r) => r.provider),

    insertMergeOffer: (o: Omit<MergeOfferRow, 'used_at'>, at: Date) =>
      sql.query(
        `INSERT INTO merge_offers (id, target_account_id, source_account_id, session_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [o.id, o.target_account_id, o.source_account_id, o.session_id, at, o.expires_at],
      ),
    /** Marks the offer used if it is the caller's, unused and unexpired; the row, or undefined. */
    takeMergeOffer: (id: string, target: string, at: Date) =>
      one<MergeOfferRow>(
        `UPDATE merge_offers SET used_at = $3 WHERE id = $1 AND target_account_id = $2 AND used_at IS NULL
         AND expires_at > $3 RETURNING *`,
        [id, target, at],
      ),

    insertMerge: (m: Omit<MergeRow, 'undone_at'>) =>
      sql.query(
        `INSERT INTO account_merges (id, target_account_id, source_account_id, merged_at, undo_until, inventory)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          m.id,
          m.target_account_id,
          m.source_account_id,
          m.merged_at,
          m.undo_until,
          JSON.stringify(m.inventory),
        ],
      ),
    /** Locks the merge row for the undo (FOR UPDATE), so two undos of one merge cannot both run. */
    mergeForUpdate: (id: string) =>
      one<MergeRow>('SELECT * FROM account_merges WHERE id = $1 FOR UPDATE', [id]),
    markUndone: (id: string, at: Date) =>
      sql.query('UPDATE account_merges SET undone_at = $2 WHERE id = $1', [id, at]),
    mergesInto: async (target: string) =>
      (
        await sql.query<MergeRow>(
          'SELECT * FROM account_merges WHERE target_account_id = $1 ORDER BY merged_at DESC, id DESC',
          [target],
        )
      ).rows,
    /** When the newest merge into `target` that still stands was made, if any. */
    latestActiveMergeAt: async (target: string) =>
      (
        await sql.query<{ merged_at: Date | null }>(
          'SELECT max(merged_at) AS merged_at FROM account_merges WHERE target_account_id = $1 AND undone_at IS NULL',
          [target],
        )
      ).rows[0]?.merged_at ?? undefined,
    /** Active merges into `target` made after `after` (they would be torn by undoing an earlier one). */
    laterActiveMergeInto: (target: string, after: Date, exceptId: string) =>
      one<{ id: string }>(
        `SELECT id FROM account_merges WHERE target_account_id = $1 AND undone_at IS NULL AND merged_at >= $2
         AND id <> $3 ORDER BY merged_at DESC LIMIT 1`,
        [target, after, exceptId],
      ),
    /** The account and every account merged into it, transitively, while the merges stand. */
    accountTags: async (accountId: string) =>
      (
        await sql.query<{ id: string }>(
          `WITH RECURSIVE merged(id) AS (
             SELECT $1::text
             UNION SELECT m.source_account_id FROM account_merges m JOIN merged ON m.target_account_id = merged.id
             WHERE m.undone_at IS NULL)
           SELECT id FROM merged ORDER BY id`,
          [accountId],
        )
      ).rows.map((r) => r.id),
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
