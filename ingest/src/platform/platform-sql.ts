import type { SqlClient } from '../registry/resolver.js';

/**
 * Ingest's SQL on migration 0007's tables (gateway_presence, nearby_devices, gateway_commands): a contract
 * with the API, which reads presence and nearby devices and queues commands. Every write is an upsert or a
 * conditional update, so cluster nodes that see the same message or race for the same command agree.
 * Times are ms since the epoch in and out.
 */

/** Writes only for a registered, unrevoked gateway (the foreign key would refuse others anyway). */
const LIVE_GATEWAY = 'SELECT 1 FROM gateways WHERE id = $1 AND revoked_at IS NULL';

export interface NearbyDiscovered {
  address: string;
  name: string | null;
  profileId: string;
  model: string | null;
  rssi: number | null;
}

export interface NearbyInfo {
  address: string;
  maker: string | null;
  model: string | null;
  battery: number | null;
}

export interface ClaimedCommand {
  id: string;
  gateway_id: string;
  op: string;
  args: Record<string, unknown>;
  deadline_ms: number;
}

export function createPlatformSql(db: SqlClient) {
  return {
    /**
     * The gateway's status; `since` moves only when online flips. An older message than the stored one (two
     * cluster nodes handling a will and a reconnect out of order) changes nothing.
     */
    async upsertPresence(gw: string, online: boolean, version: string | null, at: number): Promise<void> {
      await db.query(
        `INSERT INTO gateway_presence (gateway_id, online, version, since, updated_at)
         SELECT $1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($4 / 1000.0) WHERE EXISTS (${LIVE_GATEWAY})
         ON CONFLICT (gateway_id) DO UPDATE SET
           online = EXCLUDED.online,
           version = COALESCE(EXCLUDED.version, gateway_presence.version),
           since = CASE WHEN gateway_presence.online = EXCLUDED.online THEN gateway_presence.since
                        ELSE EXCLUDED.since END,
           updated_at = EXCLUDED.updated_at
         WHERE gateway_presence.updated_at <= EXCLUDED.updated_at`,
        [gw, online, version, at],
      );
    },

    /** A matched device heard (again): scan facts replace older ones, DIS facts stay. */
    async upsertDiscovered(gw: string, d: NearbyDiscovered, at: number): Promise<void> {
      await db.query(
        `INSERT INTO nearby_devices (gateway_id, address, name, profile_id, model, rssi, seen_at)
         SELECT $1, $2, $3, $4, $5, $6, to_timestamp($7 / 1000.0) WHERE EXISTS (${LIVE_GATEWAY})
         ON CONFLICT (gateway_id, address) DO UPDATE SET
           name = COALESCE(EXCLUDED.name, nearby_devices.name),
           profile_id = EXCLUDED.profile_id,
           model = COALESCE(nearby_devices.model, EXCLUDED.model),
           rssi = COALESCE(EXCLUDED.rssi, nearby_devices.rssi),
           seen_at = GREATEST(nearby_devices.seen_at, EXCLUDED.seen_at)`,
        [gw, d.address, d.name, d.profileId, d.model, d.rssi, at],
      );
    },

    /** DIS maker and model (they win over the profile's model) and the battery level. */
    async upsertInfo(gw: string, d: NearbyInfo, at: number): Promise<void> {
      await db.query(
        `INSERT INTO nearby_devices (gateway_id, address, maker, model, battery_percent, seen_at)
         SELECT $1, $2, $3, $4, $5, to_timestamp($6 / 1000.0) WHERE EXISTS (${LIVE_GATEWAY})
         ON CONFLICT (gateway_id, address) DO UPDATE SET
           maker = COALESCE(EXCLUDED.maker, nearby_devices.maker),
           model = COALESCE(EXCLUDED.model, nearby_devices.model),
           battery_percent = COALESCE(EXCLUDED.battery_percent, nearby_devices.battery_percent),
           seen_at = GREATEST(nearby_devices.seen_at, EXCLUDED.seen_at)`,
        [gw, d.address, d.maker, d.model, d.battery, at],
      );
    },

    /** Keeps the newest `max` entries of a gateway and drops those not heard since `staleBefore`. */
    async trimNearby(gw: string, max: number, staleBefore: number): Promise<void> {
      await db.query(
        `DELETE FROM nearby_devices WHERE gateway_id = $1 AND (seen_at < to_timestamp($3 / 1000.0)
           OR address NOT IN (SELECT address FROM nearby_devices WHERE gateway_id = $1
                              ORDER BY seen_at DESC, address LIMIT $2))`,
        [gw, max, staleBefore],
      );
    },

    async dropStaleNearby(staleBefore: number): Promise<void> {
      await db.query('DELETE FROM nearby_devices WHERE seen_at < to_timestamp($1 / 1000.0)', [staleBefore]);
    },

    /** Exactly one node wins a queued command: the row moves to 'sent' only once. */
    async claim(id: string, now: number): Promise<ClaimedCommand | undefined> {
      const { rows } = await db.query<ClaimedCommand>(
        `UPDATE gateway_commands SET state = 'sent', sent_at = to_timestamp($2 / 1000.0)
         WHERE id = $1 AND state = 'queued' AND deadline > to_timestamp($2 / 1000.0)
         RETURNING id, gateway_id, op, args,
           (extract(epoch FROM deadline) * 1000)::float8 AS deadline_ms`,
        [id, now],
      );
      return rows[0];
    },

    /** Queued commands no node has claimed (a missed notification, or queued while no node listened). */
    async queuedIds(now: number, limit: number): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM gateway_commands WHERE state = 'queued' AND deadline > to_timestamp($1 / 1000.0)
         ORDER BY created_at LIMIT $2`,
        [now, limit],
      );
      return rows.map((r) => r.id);
    },

    async finish(
      id: string,
      outcome: { state: 'ok' | 'error'; result: Record<string, unknown> | null; errorCode: string | null },
      now: number,
    ): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE gateway_commands SET state = $2, result = $3::jsonb, error_code = $4,
           finished_at = to_timestamp($5 / 1000.0), args = args - 'passkey' - 'consent'
         WHERE id = $1 AND state = 'sent' RETURNING id`,
        [
          id,
          outcome.state,
          outcome.result === null ? null : JSON.stringify(outcome.result),
          outcome.errorCode,
          now,
        ],
      );
      return rows.length === 1;
    },

    /**
     * The timed_out rule (the same in the API, api/src/modules/gateways/repository/operations.ts): an open
     * command ends timed_out once its deadline passed and its gateway's last status is offline or unknown
     * (API_ERR_GATEWAY_OFFLINE), or once the answer grace after the deadline passed too
     * (API_ERR_COMMAND_TIMED_OUT). The passkey of a pair command and the consent code of a UDS command are not kept once it ended.
     */
    async expire(now: number, answerGraceMs: number, id?: string): Promise<number> {
      const { rows } = await db.query(
        `UPDATE gateway_commands c SET state = 'timed_out', finished_at = to_timestamp($1::float8 / 1000),
           args = c.args - 'passkey' - 'consent',
           error_code = CASE WHEN p.online IS TRUE THEN 'API_ERR_COMMAND_TIMED_OUT' ELSE 'API_ERR_GATEWAY_OFFLINE' END
         FROM gateways g LEFT JOIN gateway_presence p ON p.gateway_id = g.id
         WHERE g.id = c.gateway_id AND c.state IN ('queued', 'sent') AND ($3::text IS NULL OR c.id = $3)
           AND (c.deadline <= to_timestamp(($1::float8 - $2::float8) / 1000)
                OR (c.deadline <= to_timestamp($1::float8 / 1000) AND p.online IS NOT TRUE))
         RETURNING c.id`,
        [now, answerGraceMs, id ?? null],
      );
      return rows.length;
    },
  };
}

export type PlatformSql = ReturnType<typeof createPlatformSql>;
