import type { SqlClient } from '../../db/sql-client.js';

export type EndpointStatus = 'unverified' | 'active' | 'disabled';
export type PayloadKind = 'thin' | 'full';

export interface EndpointRow {
  id: string;
  client_id: string;
  url: string;
  event_types: string[];
  payload: PayloadKind;
  status: EndpointStatus;
  description: string | null;
  ed25519_private: string | null;
  ed25519_public: string | null;
  cursor: string | null;
  verified_at: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  failing_since: string | null;
  consecutive_failures: number;
  created_at: string;
  updated_at: string;
}

export interface SecretRow {
  id: string;
  endpoint_id: string;
  ciphertext: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface MessageRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  person_key: string;
  occurred_at: string;
  payload: Record<string, unknown>;
  origin: 'event' | 'replay' | 'backfill' | 'progress';
  backfill_id: string | null;
  state: 'pending' | 'delivered';
  attempts: number;
  next_attempt_at: string;
}

export interface NewMessage {
  endpoint_id: string;
  event_id: string;
  event_type: string;
  person_key: string;
  occurred_at: string;
  payload: Record<string, unknown>;
  origin: MessageRow['origin'];
  backfill_id?: string | null;
}

export interface AttemptRow {
  id: string;
  message_id: string;
  event_id: string;
  event_type: string;
  attempted_at: string;
  ok: boolean;
  http_status: number | null;
  error_code: string | null;
  latency_ms: number;
  response_snippet: string;
}

export interface BackfillRow {
  id: string;
  endpoint_id: string;
  subject: string | null;
  from_at: string;
  to_at: string;
  rate: number;
  state: 'running' | 'enqueued' | 'completed';
  cursor: string | null;
  enqueued: number;
  started_at: string;
  completed_at: string | null;
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined ? null : new Date(v as string).toISOString();

function endpoint(r: EndpointRow): EndpointRow {
  return {
    ...r,
    verified_at: iso(r.verified_at),
    disabled_at: iso(r.disabled_at),
    last_success_at: iso(r.last_success_at),
    last_failure_at: iso(r.last_failure_at),
    failing_since: iso(r.failing_since),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at) as string,
  };
}

const message = (r: MessageRow): MessageRow => ({
  ...r,
  id: String(r.id),
  occurred_at: iso(r.occurred_at) as string,
  next_attempt_at: iso(r.next_attempt_at) as string,
});

const backfill = (r: BackfillRow): BackfillRow => ({
  ...r,
  rate: Number(r.rate),
  from_at: iso(r.from_at) as string,
  to_at: iso(r.to_at) as string,
  started_at: iso(r.started_at) as string,
  completed_at: iso(r.completed_at),
});

/** The only SQL on the webhook_* tables. */
export function webhooksRepository(db: SqlClient) {
  return {
    async insertEndpoint(
      row: Omit<
        EndpointRow,
        | 'verified_at'
        | 'disabled_at'
        | 'disabled_reason'
        | 'last_success_at'
        | 'last_failure_at'
        | 'failing_since'
        | 'consecutive_failures'
        | 'updated_at'
        | 'cursor'
      >,
    ): Promise<void> {
      await db.query(
        `INSERT INTO webhook_endpoints (id, client_id, url, event_types, payload, status, description,
           ed25519_private, ed25519_public, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
        [
          row.id,
          row.client_id,
          row.url,
          row.event_types,
          row.payload,
          row.status,
          row.description,
          row.ed25519_private,
          row.ed25519_public,
          row.created_at,
        ],
      );
    },
    async endpoint(id: string): Promise<EndpointRow | undefined> {
      const { rows } = await db.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1', [id]);
      return rows[0] ? endpoint(rows[0]) : undefined;
    },
    async endpointsOf(clientId: string): Promise<EndpointRow[]> {
      const { rows } = await db.query<EndpointRow>(
        'SELECT * FROM webhook_endpoints WHERE client_id = $1 ORDER BY created_at, id',
        [clientId],
      );
      return rows.map(endpoint);
    },
    /** Endpoints that collect events: verified ones, active or disabled (a disabled one keeps its backlog). */
    async collecting(): Promise<EndpointRow[]> {
      const { rows } = await db.query<EndpointRow>(
        "SELECT * FROM webhook_endpoints WHERE status <> 'unverified' ORDER BY id",
      );
      return rows.map(endpoint);
    },
    async updateEndpoint(
      id: string,
      patch: Partial<
        Pick<
          EndpointRow,
          'url' | 'event_types' | 'payload' | 'description' | 'ed25519_private' | 'ed25519_public' | 'cursor'
        >
      >,
      nowIso: string,
    ): Promise<void> {
      const sets: string[] = [];
      const values: unknown[] = [id, nowIso];
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        values.push(value);
        sets.push(`${key} = $${values.length}`);
      }
      await db.query(
        `UPDATE webhook_endpoints SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1`,
        values,
      );
    },
    async deleteEndpoint(id: string): Promise<void> {
      await db.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
    },
    async markVerified(id: string, cursor: string, nowIso: string): Promise<void> {
      await db.query(
        `UPDATE webhook_endpoints SET status = 'active', verified_at = $2, cursor = COALESCE(cursor, $3),
           updated_at = $2 WHERE id = $1`,
        [id, nowIso, cursor],
      );
    },
    async setCursor(id: string, cursor: string): Promise<void> {
      await db.query('UPDATE webhook_endpoints SET cursor = $2 WHERE id = $1', [id, cursor]);
    },
    async disable(id: string, reason: string, nowIso: string): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE webhook_endpoints SET status = 'disabled', disabled_at = $2, disabled_reason = $3, updated_at = $2
          WHERE id = $1 AND status = 'active' RETURNING 1`,
        [id, nowIso, reason],
      );
      return rows.length > 0;
    },
    /** Re-enabling: the backlog is retried from now with a fresh schedule, in order. */
    async enable(id: string, nowIso: string): Promise<void> {
      await db.query(
        `UPDATE webhook_endpoints SET status = 'active', disabled_at = NULL, disabled_reason = NULL,
           consecutive_failures = 0, failing_since = NULL, updated_at = $2 WHERE id = $1 AND status = 'disabled'`,
        [id, nowIso],
      );
      await db.query(
        `UPDATE webhook_messages SET attempts = 0, next_attempt_at = $2 WHERE endpoint_id = $1 AND state = 'pending'`,
        [id, nowIso],
      );
    },
    async recordSuccess(id: string, nowIso: string): Promise<void> {
      await db.query(
        `UPDATE webhook_endpoints SET last_success_at = $2, consecutive_failures = 0, failing_since = NULL
          WHERE id = $1`,
        [id, nowIso],
      );
    },
    async recordFailure(id: string, nowIso: string): Promise<void> {
      await db.query(
        `UPDATE webhook_endpoints SET last_failure_at = $2, consecutive_failures = consecutive_failures + 1,
           failing_since = COALESCE(failing_since, $2) WHERE id = $1`,
        [id, nowIso],
      );
    },

    async insertSecret(row: Omit<SecretRow, 'revoked_at'>): Promise<void> {
      await db.query(
        'INSERT INTO webhook_secrets (id, endpoint_id, ciphertext, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [row.id, row.endpoint_id, row.ciphertext, row.created_at, row.expires_at],
      );
    },
    async liveSecrets(endpointId: string, nowIso: string): Promise<SecretRow[]> {
      const { rows } = await db.query<SecretRow>(
        `SELECT * FROM webhook_secrets WHERE endpoint_id = $1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at DESC, id`,
        [endpointId, nowIso],
      );
      return rows.map((r) => ({
        ...r,
        created_at: iso(r.created_at) as string,
        expires_at: iso(r.expires_at),
        revoked_at: null,
      }));
    },
    /** Every live secret except `keep` expires at `expiresIso` (unless it already expires sooner). */
    async expireOtherSecrets(endpointId: string, keep: string, expiresIso: string): Promise<void> {
      await db.query(
        `UPDATE webhook_secrets SET expires_at = LEAST(COALESCE(expires_at, $3), $3)
          WHERE endpoint_id = $1 AND id <> $2 AND revoked_at IS NULL`,
        [endpointId, keep, expiresIso],
      );
    },
    async revokeSecret(endpointId: string, secretId: string, nowIso: string): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE webhook_secrets SET revoked_at = $3 WHERE endpoint_id = $1 AND id = $2 AND revoked_at IS NULL
          RETURNING 1`,
        [endpointId, secretId, nowIso],
      );
      return rows.length > 0;
    },

    /** Inserts messages; a second copy of an event's own message (origin 'event') is ignored. */
    async enqueue(rows: readonly NewMessage[], nowIso: string): Promise<number> {
      let n = 0;
      for (const r of rows) {
        const res = await db.query(
          `INSERT INTO webhook_messages (endpoint_id, event_id, event_type, person_key, occurred_at, payload, origin,
             backfill_id, state, next_attempt_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9)
           ON CONFLICT (endpoint_id, event_id) WHERE origin = 'event' DO NOTHING RETURNING 1`,
          [
            r.endpoint_id,
            r.event_id,
            r.event_type,
            r.person_key,
            r.occurred_at,
            JSON.stringify(r.payload),
            r.origin,
            r.backfill_id ?? null,
            nowIso,
          ],
        );
        n += res.rows.length;
      }
      return n;
    },
    /**
     * Leases up to `limit` due messages of active endpoints, each the oldest pending message of its person on
     * its endpoint (per-person order: a later one waits until the earlier one is delivered). A lease that
     * expired (its process died mid-send) is taken over.
     */
    async claim(owner: string, nowIso: string, leaseUntilIso: string, limit: number): Promise<MessageRow[]> {
      const { rows } = await db.query<MessageRow>(
        `UPDATE webhook_messages SET lease_owner = $1, lease_until = $3
          WHERE id IN (
            SELECT m.id FROM webhook_messages m JOIN webhook_endpoints e ON e.id = m.endpoint_id
             WHERE m.state = 'pending' AND e.status = 'active' AND m.next_attempt_at <= $2
               AND (m.lease_until IS NULL OR m.lease_until <= $2)
               AND NOT EXISTS (SELECT 1 FROM webhook_messages p WHERE p.endpoint_id = m.endpoint_id
                     AND p.person_key = m.person_key AND p.state = 'pending' AND p.id < m.id)
             ORDER BY m.next_attempt_at, m.id LIMIT $4 FOR UPDATE OF m SKIP LOCKED)
          RETURNING id, endpoint_id, event_id, event_type, person_key, occurred_at, payload, origin, backfill_id,
            state, attempts, next_attempt_at`,
        [owner, nowIso, leaseUntilIso, limit],
      );
      return rows.map(message);
    },
    /** Ends a lease we still hold; false when another process took it over (our lease had expired). */
    async settle(
      messageId: string,
      owner: string,
      outcome: { delivered: true; nowIso: string } | { delivered: false; attempts: number; nextIso: string },
    ): Promise<boolean> {
      const { rows } = outcome.delivered
        ? await db.query(
            `UPDATE webhook_messages SET state = 'delivered', delivered_at = $3, attempts = attempts + 1,
               lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 RETURNING 1`,
            [messageId, owner, outcome.nowIso],
          )
        : await db.query(
            `UPDATE webhook_messages SET attempts = $3, next_attempt_at = $4, lease_owner = NULL, lease_until = NULL
              WHERE id = $1 AND lease_owner = $2 RETURNING 1`,
            [messageId, owner, outcome.attempts, outcome.nextIso],
          );
      return rows.length > 0;
    },
    async insertAttempt(a: Omit<AttemptRow, 'id'> & { endpoint_id: string }): Promise<void> {
      await db.query(
        `INSERT INTO webhook_attempts (message_id, endpoint_id, event_id, event_type, attempted_at, ok, http_status,
           error_code, latency_ms, response_snippet) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          a.message_id,
          a.endpoint_id,
          a.event_id,
          a.event_type,
          a.attempted_at,
          a.ok,
          a.http_status,
          a.error_code,
          a.latency_ms,
          a.response_snippet,
        ],
      );
    },
    async attempts(
      endpointId: string,
      f: {
        ok?: boolean;
        eventType?: string;
        eventId?: string;
        from?: string;
        to?: string;
        before?: string;
        limit: number;
      },
    ): Promise<AttemptRow[]> {
      const where = ['endpoint_id = $1'];
      const values: unknown[] = [endpointId];
      const add = (cond: string, v: unknown) => {
        values.push(v);
        where.push(cond.replace('?', `$${values.length}`));
      };
      if (f.ok !== undefined) add('ok = ?', f.ok);
      if (f.eventType !== undefined) add('event_type = ?', f.eventType);
      if (f.eventId !== undefined) add('event_id = ?', f.eventId);
      if (f.from !== undefined) add('attempted_at >= ?', f.from);
      if (f.to !== undefined) add('attempted_at < ?', f.to);
      if (f.before !== undefined) add('id < ?', f.before);
      values.push(f.limit);
      const { rows } = await db.query<AttemptRow>(
        `SELECT id, message_id, event_id, event_type, attempted_at, ok, http_status, error_code, latency_ms,
           response_snippet FROM webhook_attempts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${values.length}`,
        values,
      );
      return rows.map((r) => ({
        ...r,
        id: String(r.id),
        message_id: String(r.message_id),
        attempted_at: iso(r.attempted_at) as string,
      }));
    },
    async backlog(endpointId: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM webhook_messages WHERE endpoint_id = $1 AND state = 'pending'",
        [endpointId],
      );
      return rows[0]?.n ?? 0;
    },

    async insertBackfill(
      row: Omit<BackfillRow, 'cursor' | 'enqueued' | 'completed_at' | 'state'>,
    ): Promise<void> {
      await db.query(
        `INSERT INTO webhook_backfills (id, endpoint_id, subject, from_at, to_at, rate, state, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'running', $7)`,
        [row.id, row.endpoint_id, row.subject, row.from_at, row.to_at, row.rate, row.started_at],
      );
    },
    async backfill(id: string): Promise<BackfillRow | undefined> {
      const { rows } = await db.query<BackfillRow>('SELECT * FROM webhook_backfills WHERE id = $1', [id]);
      return rows[0] ? backfill(rows[0]) : undefined;
    },
    async openBackfills(): Promise<BackfillRow[]> {
      const { rows } = await db.query<BackfillRow>(
        "SELECT * FROM webhook_backfills WHERE state <> 'completed' ORDER BY started_at, id",
      );
      return rows.map(backfill);
    },
    async advanceBackfill(id: string, cursor: string, added: number, enqueuedAll: boolean): Promise<void> {
      await db.query(
        `UPDATE webhook_backfills SET cursor = $2, enqueued = enqueued + $3,
           state = CASE WHEN $4 THEN 'enqueued' ELSE state END WHERE id = $1`,
        [id, cursor, added, enqueuedAll],
      );
    },
    async completeBackfill(id: string, nowIso: string): Promise<void> {
      await db.query("UPDATE webhook_backfills SET state = 'completed', completed_at = $2 WHERE id = $1", [
        id,
        nowIso,
      ]);
    },
    async backfillProgress(id: string): Promise<{ delivered: number; pending: number }> {
      const { rows } = await db.query<{ delivered: number; pending: number }>(
        `SELECT count(*) FILTER (WHERE state = 'delivered')::int AS delivered,
                count(*) FILTER (WHERE state = 'pending')::int AS pending
           FROM webhook_messages WHERE backfill_id = $1 AND origin = 'backfill'`,
        [id],
      );
      return rows[0] ?? { delivered: 0, pending: 0 };
    },

    async notice(endpointId: string, kind: string, text: string, nowIso: string): Promise<void> {
      await db.query(
        'INSERT INTO webhook_notices (endpoint_id, kind, message, created_at) VALUES ($1, $2, $3, $4)',
        [endpointId, kind, text, nowIso],
      );
    },
    async notices(
      endpointId: string,
      limit: number,
    ): Promise<{ kind: string; message: string; created_at: string }[]> {
      const { rows } = await db.query<{ kind: string; message: string; created_at: string }>(
        'SELECT kind, message, created_at FROM webhook_notices WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2',
        [endpointId, limit],
      );
      return rows.map((r) => ({ ...r, created_at: iso(r.created_at) as string }));
    },
  };
}
export type WebhooksRepository = ReturnType<typeof webhooksRepository>;
