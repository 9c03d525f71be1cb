import type { Database } from '../../../db/sql-client.js';
import { TRAITS_BY_NAME } from '../catalog.js';

/**
 * SQL on the destination tables of migration 0020 (docs/crm.md "Destinations"), and the read of trait columns
 * from crm_profiles for what a destination sends. Column names come only from the trait catalog.
 */

export interface DestinationRow {
  id: string;
  orgId: string;
  name: string;
  kind: string;
  recipient: string;
  purposes: string[];
  sensitivities: string[];
  k: number;
  clientId: string | null;
  url: string | null;
  secret: string | null;
  createdAt: number;
  segments: string[];
}

export interface SyncRow {
  at: number;
  entered: number;
  exited: number;
  members: number;
  refused: string | null;
}

export interface OutboxRow {
  eventId: string;
  destinationId: string;
  type: string;
  body: string;
  attempts: number;
  createdAt: number;
}

const ms = (v: Date | string) => (v instanceof Date ? v.getTime() : Date.parse(v));
const iso = (t: number) => new Date(t).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

interface DbRow {
  destination_id: string;
  org_id: string;
  name: string;
  kind: string;
  recipient: string;
  purposes: unknown;
  sensitivities: unknown;
  k: number;
  client_id: string | null;
  url: string | null;
  secret: string | null;
  created_at: Date | string;
  segments: unknown;
}
const COLS = `d.destination_id, d.org_id, d.name, d.kind, d.recipient, d.purposes, d.sensitivities, d.k,
  d.client_id, d.url, d.secret, d.created_at,
  COALESCE((SELECT json_agg(s.segment_id ORDER BY s.segment_id) FROM crm_destination_segments s
             WHERE s.destination_id = d.destination_id), '[]'::json) AS segments`;
const toRow = (r: DbRow): DestinationRow => ({
  id: r.destination_id,
  orgId: r.org_id,
  name: r.name,
  kind: r.kind,
  recipient: r.recipient,
  purposes: json(r.purposes),
  sensitivities: json(r.sensitivities),
  k: Number(r.k),
  clientId: r.client_id,
  url: r.url,
  secret: r.secret,
  createdAt: ms(r.created_at),
  segments: json(r.segments),
});

export function createDestinationsRepository(db: Database) {
  return {
    /** False when the organisation already has a destination of that name. */
    async insert(d: DestinationRow): Promise<boolean> {
      try {
        await db.query(
          `INSERT INTO crm_destinations (destination_id, org_id, name, kind, recipient, purposes, sensitivities, k,
             client_id, url, secret, created_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12)`,
          [
            d.id,
            d.orgId,
            d.name,
            d.kind,
            d.recipient,
            JSON.stringify(d.purposes),
            JSON.stringify(d.sensitivities),
            d.k,
            d.clientId,
            d.url,
            d.secret,
            iso(d.createdAt),
          ],
        );
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },

    async get(orgId: string, id: string): Promise<DestinationRow | undefined> {
      const { rows } = await db.query<DbRow>(
        `SELECT ${COLS} FROM crm_destinations d WHERE d.org_id = $1 AND d.destination_id = $2`,
        [orgId, id],
      );
      return rows[0] && toRow(rows[0]);
    },

    async list(orgId?: string): Promise<DestinationRow[]> {
      const { rows } = await db.query<DbRow>(
        `SELECT ${COLS} FROM crm_destinations d WHERE ($1::text IS NULL OR d.org_id = $1)
          ORDER BY d.created_at, d.destination_id`,
        [orgId ?? null],
      );
      return rows.map(toRow);
    },

    /** The profile_api destinations that approve this OAuth client. */
    async byClient(clientId: string): Promise<DestinationRow[]> {
      const { rows } = await db.query<DbRow>(
        `SELECT ${COLS} FROM crm_destinations d WHERE d.kind = 'profile_api' AND d.client_id = $1`,
        [clientId],
      );
      return rows.map(toRow);
    },

    async remove(orgId: string, id: string): Promise<boolean> {
      const { rows } = await db.query(
        'DELETE FROM crm_destinations WHERE org_id = $1 AND destination_id = $2 RETURNING destination_id',
        [orgId, id],
      );
      return rows.length > 0;
    },

    async attach(id: string, segmentId: string): Promise<void> {
      await db.query(
        `INSERT INTO crm_destination_segments (destination_id, segment_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING`,
        [id, segmentId],
      );
    },

    async members(id: string): Promise<Map<string, string | null>> {
      const { rows } = await db.query<{ account_id: string; subject: string | null }>(
        'SELECT account_id, subject FROM crm_destination_members WHERE destination_id = $1',
        [id],
      );
      return new Map(rows.map((r) => [r.account_id, r.subject]));
    },

    async memberBySubject(id: string, subject: string): Promise<string | undefined> {
      const { rows } = await db.query<{ account_id: string }>(
        'SELECT account_id FROM crm_destination_members WHERE destination_id = $1 AND subject = $2',
        [id, subject],
      );
      return rows[0]?.account_id;
    },

    /**
     * Applies one sync in one transaction: the synced copy, its log line, the CSV (when one was made) and the
     * webhook events (when the destination is a webhook), so a crash leaves the previous copy and no event.
     */
    async applySync(
      id: string,
      at: number,
      change: {
        entered: { accountId: string; subject: string | null }[];
        exited: string[];
        members: number;
        csv?: { rows: number; text: string };
        events?: { eventId: string; type: string; body: string }[];
      },
    ): Promise<void> {
      await db.transaction(async (tx) => {
        if (change.exited.length)
          await tx.query(
            'DELETE FROM crm_destination_members WHERE destination_id = $1 AND account_id = ANY($2::text[])',
            [id, change.exited],
          );
        if (change.entered.length)
          await tx.query(
            `INSERT INTO crm_destination_members (destination_id, account_id, subject, synced_at)
             SELECT $1, a, s, $4 FROM unnest($2::text[], $3::text[]) AS j(a, s)
             ON CONFLICT (destination_id, account_id) DO UPDATE SET subject = excluded.subject`,
            [id, change.entered.map((e) => e.accountId), change.entered.map((e) => e.subject), iso(at)],
          );
        await tx.query(
          `INSERT INTO crm_destination_syncs (destination_id, at, entered, exited, members, refused)
           VALUES ($1, $2, $3, $4, $5, NULL)`,
          [id, iso(at), change.entered.length, change.exited.length, change.members],
        );
        if (change.csv)
          await tx.query(
            `INSERT INTO crm_destination_files (destination_id, created_at, rows, csv) VALUES ($1, $2, $3, $4)
             ON CONFLICT (destination_id) DO UPDATE
               SET created_at = excluded.created_at, rows = excluded.rows, csv = excluded.csv`,
            [id, iso(at), change.csv.rows, change.csv.text],
          );
        for (const e of change.events ?? [])
          await tx.query(
            `INSERT INTO crm_destination_outbox (event_id, destination_id, type, body, next_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $5)`,
            [e.eventId, id, e.type, e.body, iso(at)],
          );
      });
    },

    async logRefusal(id: string, at: number, members: number, reason: string): Promise<void> {
      await db.query(
        `INSERT INTO crm_destination_syncs (destination_id, at, entered, exited, members, refused)
         VALUES ($1, $2, 0, 0, $3, $4)`,
        [id, iso(at), members, reason],
      );
    },

    async syncs(id: string, limit: number): Promise<SyncRow[]> {
      const { rows } = await db.query<{
        at: Date | string;
        entered: number;
        exited: number;
        members: number;
        refused: string | null;
      }>(
        `SELECT at, entered, exited, members, refused FROM crm_destination_syncs WHERE destination_id = $1
          ORDER BY sync_id DESC LIMIT $2`,
        [id, limit],
      );
      return rows.map((r) => ({
        at: ms(r.at),
        entered: Number(r.entered),
        exited: Number(r.exited),
        members: Number(r.members),
        refused: r.refused,
      }));
    },

    async file(id: string): Promise<{ createdAt: number; rows: number; csv: string } | undefined> {
      const { rows } = await db.query<{ created_at: Date | string; rows: number; csv: string }>(
        'SELECT created_at, rows, csv FROM crm_destination_files WHERE destination_id = $1',
        [id],
      );
      const r = rows[0];
      return r && { createdAt: ms(r.created_at), rows: Number(r.rows), csv: r.csv };
    },

    /** Trait values of these accounts; `columns` must be catalog names (checked here again). */
    async traits(accountIds: readonly string[], columns: readonly string[]) {
      for (const c of columns) if (!TRAITS_BY_NAME.has(c)) throw new Error(`not a catalog trait: ${c}`);
      if (accountIds.length === 0) return new Map<string, Record<string, unknown>>();
      const select = columns.length ? `, ${columns.join(', ')}` : '';
      const { rows } = await db.query<Record<string, unknown> & { account_id: string }>(
        `SELECT account_id${select} FROM crm_profiles WHERE account_id = ANY($1::text[]) ORDER BY account_id`,
        [[...accountIds]],
      );
      return new Map(rows.map((r) => [r.account_id, r]));
    },

    async cursor(name: string): Promise<string | null> {
      const { rows } = await db.query<{ position: string | null }>(
        'SELECT position FROM crm_destination_cursor WHERE name = $1',
        [name],
      );
      return rows[0]?.position ?? null;
    },

    async setCursor(name: string, position: string | null): Promise<void> {
      await db.query(
        `INSERT INTO crm_destination_cursor (name, position) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
        [name, position],
      );
    },

    /** Webhook events due now, oldest first, each claimed by pushing its next attempt out by `leaseMs`. */
    async due(at: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
      const { rows } = await db.query<{
        event_id: string;
        destination_id: string;
        type: string;
        body: string;
        attempts: number;
        created_at: Date | string;
      }>(
        `UPDATE crm_destination_outbox SET next_at = $2 WHERE event_id IN (
           SELECT event_id FROM crm_destination_outbox
            WHERE delivered_at IS NULL AND next_at IS NOT NULL AND next_at <= $1
            ORDER BY created_at, event_id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING event_id, destination_id, type, body, attempts, created_at`,
        [iso(at), iso(at + leaseMs), limit],
      );
      return rows
        .map((r) => ({
          eventId: r.event_id,
          destinationId: r.destination_id,
          type: r.type,
          body: r.body,
          attempts: Number(r.attempts),
          createdAt: ms(r.created_at),
        }))
        .sort((a, b) => a.createdAt - b.createdAt || a.eventId.localeCompare(b.eventId));
    },

    /** Records one attempt; `nextAt` null with a failure means the event is given up (dead). */
    async recordAttempt(
      eventId: string,
      at: number,
      result: { ok: boolean; status: number | null; error: string | null; nextAt: number | null },
    ): Promise<void> {
      await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ attempts: number }>(
          `UPDATE crm_destination_outbox
              SET attempts = attempts + 1, delivered_at = $2, next_at = $3
            WHERE event_id = $1 RETURNING attempts`,
          [
            eventId,
            result.ok ? iso(at) : null,
            result.ok || result.nextAt === null ? null : iso(result.nextAt),
          ],
        );
        await tx.query(
          'INSERT INTO crm_destination_deliveries (event_id, attempt, at, status, error) VALUES ($1, $2, $3, $4, $5)',
          [eventId, Number(rows[0]?.attempts ?? 0), iso(at), result.status, result.error],
        );
      });
    },

    async deliveries(destinationId: string) {
      const { rows } = await db.query<{
        event_id: string;
        type: string;
        attempt: number;
        status: number | null;
        error: string | null;
        delivered_at: Date | string | null;
      }>(
        `SELECT o.event_id, o.type, d.attempt, d.status, d.error, o.delivered_at
           FROM crm_destination_outbox o JOIN crm_destination_deliveries d ON d.event_id = o.event_id
          WHERE o.destination_id = $1 ORDER BY o.created_at, o.event_id, d.attempt`,
        [destinationId],
      );
      return rows.map((r) => ({
        eventId: r.event_id,
        type: r.type,
        attempt: Number(r.attempt),
        status: r.status === null ? null : Number(r.status),
        error: r.error,
        delivered: r.delivered_at !== null,
      }));
    },
  };
}

export type DestinationsRepository = ReturnType<typeof createDestinationsRepository>;
