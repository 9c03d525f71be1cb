import type { SqlClient } from '../../db/sql-client.js';

/** The only SQL on `consent_records` (migration 0015). */

export interface ConsentKey {
  accountId: string;
  purpose: string;
  category: string;
  recipient: string;
}

export interface RecordRow {
  seq: string;
  tx: string;
  account_id: string;
  purpose: string;
  category: string;
  recipient: string;
  kind: 'grant' | 'withdrawal' | 'expiry';
  at_ms: string;
  channel: string | null;
  text_version: string | null;
  text_locale: string | null;
  text_sha256: string | null;
  expires_ms: string | null;
  expired_seq: string | null;
}

// Times as epoch milliseconds in text, sequence numbers and xid8 as text (both exceed JS numbers); ORDER BY
// names the table's columns, never these text aliases.
const COLUMNS = `r.seq::text AS seq, r.tx::text AS tx, r.account_id, r.purpose, r.category, r.recipient, r.kind,
  (extract(epoch FROM r.at) * 1000)::bigint::text AS at_ms, r.channel, r.text_version, r.text_locale,
  r.text_sha256, (extract(epoch FROM r.expires_at) * 1000)::bigint::text AS expires_ms,
  r.expired_seq::text AS expired_seq`;

// Any constant shared by every API process, paired with the key's hash: one writer per key at a time.
const KEY_LOCK = 0x4c57_4353; // "LWCS"

/**
 * Serialises the writers of one key for the rest of the transaction. Taken before the transaction writes
 * anything, so the writer that gets it later also gets the later transaction id and sequence number: the
 * state (latest by `seq`) and the change feed (by `tx`, `seq`) then agree on which of two racing grants won.
 */
export async function lockKey(tx: SqlClient, k: ConsentKey): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
    KEY_LOCK,
    // A space occurs in none of the four (ids and purposes are slugs), so distinct keys give distinct texts.
    [k.accountId, k.purpose, k.category, k.recipient].join(' '),
  ]);
}

export interface NewRecord extends ConsentKey {
  kind: 'grant' | 'withdrawal';
  at: number;
  channel: string;
  textVersion: string | null;
  textLocale: string | null;
  textSha256: string | null;
  expiresAt: number | null;
}

export async function insertRecord(sql: SqlClient, r: NewRecord): Promise<RecordRow> {
  const { rows } = await sql.query<RecordRow>(
    `INSERT INTO consent_records AS r (account_id, purpose, category, recipient, kind, at, channel, text_version,
       text_locale, text_sha256, expires_at)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6::bigint / 1000.0), $7, $8, $9, $10,
       to_timestamp($11::bigint / 1000.0))
     RETURNING ${COLUMNS}`,
    [
      r.accountId,
      r.purpose,
      r.category,
      r.recipient,
      r.kind,
      Math.round(r.at),
      r.channel,
      r.textVersion,
      r.textLocale,
      r.textSha256,
      r.expiresAt === null ? null : Math.round(r.expiresAt),
    ],
  );
  return rows[0]!;
}

/** The deciding record (latest grant or withdrawal) of one key, or undefined when there is none. */
export async function latestOf(sql: SqlClient, k: ConsentKey): Promise<RecordRow | undefined> {
  const { rows } = await sql.query<RecordRow>(
    `SELECT ${COLUMNS} FROM consent_records r
     WHERE r.account_id = $1 AND r.purpose = $2 AND r.category = $3 AND r.recipient = $4 AND r.kind <> 'expiry'
     ORDER BY r.seq DESC LIMIT 1`,
    [k.accountId, k.purpose, k.category, k.recipient],
  );
  return rows[0];
}

/** The deciding record of every key an account has any record for. */
export async function latestOfAccount(sql: SqlClient, accountId: string): Promise<RecordRow[]> {
  const { rows } = await sql.query<RecordRow>(
    `SELECT DISTINCT ON (r.purpose, r.category, r.recipient) ${COLUMNS} FROM consent_records r
     WHERE r.account_id = $1 AND r.kind <> 'expiry'
     ORDER BY r.purpose, r.category, r.recipient, r.seq DESC`,
    [accountId],
  );
  return rows;
}

/** An account's records, newest first, before the record `beforeSeq` when given. */
export async function historyOf(
  sql: SqlClient,
  accountId: string,
  limit: number,
  beforeSeq: string | undefined,
): Promise<RecordRow[]> {
  const { rows } = await sql.query<RecordRow>(
    `SELECT ${COLUMNS} FROM consent_records r
     WHERE r.account_id = $1 AND ($3::bigint IS NULL OR r.seq < $3::bigint)
     ORDER BY r.seq DESC LIMIT $2`,
    [accountId, limit, beforeSeq ?? null],
  );
  return rows;
}

export interface HoldersQuery {
  purpose: string;
  category: string;
  recipient: string;
  at: number;
  accounts: readonly string[] | null;
  /** Accounts without any record hold the consent (the `service` purpose). */
  onByDefault: boolean;
}

/**
 * Accounts whose consent is live at `at`: their latest decision made at or before `at` is a grant that has
 * not expired by then. With `onByDefault`, listed accounts with no decision yet hold it too.
 */
export async function holders(sql: SqlClient, q: HoldersQuery): Promise<string[]> {
  const decided = `SELECT DISTINCT ON (r.account_id) r.account_id, r.kind, r.expires_at FROM consent_records r
     WHERE r.purpose = $1 AND r.category = $2 AND r.recipient = $3 AND r.kind <> 'expiry'
       AND r.at <= to_timestamp($4::bigint / 1000.0) AND ($5::text[] IS NULL OR r.account_id = ANY($5::text[]))
     ORDER BY r.account_id, r.seq DESC`;
  const live = `d.kind = 'grant' AND (d.expires_at IS NULL OR d.expires_at > to_timestamp($4::bigint / 1000.0))`;
  const params = [
    q.purpose,
    q.category,
    q.recipient,
    Math.round(q.at),
    q.accounts === null ? null : [...q.accounts],
  ];
  const sqlText = q.onByDefault
    ? `SELECT a.id AS account_id FROM unnest($5::text[]) AS a(id)
       LEFT JOIN (${decided}) d ON d.account_id = a.id
       WHERE d.account_id IS NULL OR (${live})
       GROUP BY a.id ORDER BY a.id`
    : `SELECT d.account_id FROM (${decided}) d WHERE ${live} ORDER BY d.account_id`;
  const { rows } = await sql.query<{ account_id: string }>(sqlText, params);
  return rows.map((r) => r.account_id);
}

/**
 * Writes the expiry marker of every key (of one account, when given) whose deciding record is a grant expired by `now` (once: the marker's
 * `expired_seq` is unique). A reader may race a fresh grant of the same key; `changesAfter` drops a marker
 * whose grant no longer decides its key, so such a marker never reads as a withdrawal.
 */
export async function markExpiries(sql: SqlClient, now: number, accountId?: string): Promise<number> {
  // From the expiring grants (a partial index), those not marked yet that still decide their key.
  const { rows } = await sql.query(
    `INSERT INTO consent_records (account_id, purpose, category, recipient, kind, at, expired_seq)
     SELECT g.account_id, g.purpose, g.category, g.recipient, 'expiry', g.expires_at, g.seq
     FROM consent_records g
     WHERE g.kind = 'grant' AND g.expires_at IS NOT NULL AND g.expires_at <= to_timestamp($1::bigint / 1000.0)
       AND ($2::text IS NULL OR g.account_id = $2)
       AND NOT EXISTS (SELECT 1 FROM consent_records m WHERE m.expired_seq = g.seq)
       AND NOT EXISTS (
         SELECT 1 FROM consent_records n
         WHERE n.account_id = g.account_id AND n.purpose = g.purpose AND n.category = g.category
           AND n.recipient = g.recipient AND n.kind <> 'expiry' AND n.seq > g.seq)
     ORDER BY g.expires_at, g.seq
     ON CONFLICT (expired_seq) DO NOTHING
     RETURNING 1`,
    [Math.round(now), accountId ?? null],
  );
  return rows.length;
}

/**
 * Records after position (`tx`, `seq`), oldest first, from transactions older than every running one (so
 * nothing appears behind a position handed out), leaving out expiry markers whose grant no longer decides
 * its key.
 */
export async function changesAfter(
  sql: SqlClient,
  tx: string,
  seq: string,
  limit: number,
): Promise<RecordRow[]> {
  const { rows } = await sql.query<RecordRow>(
    `SELECT ${COLUMNS} FROM consent_records r
     WHERE (r.tx, r.seq) > ($1::xid8, $2::bigint) AND r.tx < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY r.tx, r.seq LIMIT $3`,
    [tx, seq, limit],
  );
  return rows;
}

/** Of these expiry markers' grants, the seqs that still decide their keys. */
export async function stillDeciding(sql: SqlClient, grantSeqs: readonly string[]): Promise<Set<string>> {
  if (grantSeqs.length === 0) return new Set();
  const { rows } = await sql.query<{ seq: string }>(
    `SELECT g.seq::text AS seq FROM consent_records g
     WHERE g.seq = ANY($1::bigint[]) AND NOT EXISTS (
       SELECT 1 FROM consent_records n
       WHERE n.account_id = g.account_id AND n.purpose = g.purpose AND n.category = g.category
         AND n.recipient = g.recipient AND n.kind <> 'expiry' AND n.seq > g.seq)`,
    [[...grantSeqs]],
  );
  return new Set(rows.map((r) => r.seq));
}
