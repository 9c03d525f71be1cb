import type { SqlClient } from '../../../db/sql-client.js';

/**
 * SQL of the gateways context on gateways and the tables of migration 0007 (gateway_presence,
 * nearby_devices, gateway_commands), which ingest writes too (ingest/src/platform/platform-sql.ts): the
 * timed_out rule below is the same on both sides. Times are ms since the epoch in and out.
 */

export interface GatewayRow {
  id: string;
  household_id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
  online: boolean | null;
  version: string | null;
  since: Date | null;
}

export interface NearbyRow {
  gateway_id: string;
  address: string;
  name: string | null;
  profile_id: string | null;
  model: string | null;
  maker: string | null;
  battery_percent: number | null;
  rssi: number | null;
  seen_at: Date;
}

export interface CommandRow {
  id: string;
  gateway_id: string;
  household_id: string;
  device_id: string | null;
  op: string;
  args: Record<string, unknown>;
  state: 'queued' | 'sent' | 'ok' | 'error' | 'timed_out';
  result: Record<string, unknown> | null;
  error_code: string | null;
  created_by: string | null;
  created_at: Date;
  deadline: Date;
  finished_at: Date | null;
}

export interface NewCommand {
  id: string;
  gatewayId: string;
  householdId: string;
  deviceId: string | null;
  op: string;
  args: Record<string, unknown>;
  createdBy: string;
  createdAt: number;
  deadline: number;
}

const GATEWAY_COLUMNS = `g.id, g.household_id, g.name, g.created_at, g.revoked_at, p.online, p.version, p.since`;
const COMMAND_COLUMNS = `id, gateway_id, household_id, device_id, op, args, state, result, error_code, created_by,
  created_at, deadline, finished_at`;
const ts = (ms: number) => new Date(ms);

export function createGatewayOperationsRepository(sql: SqlClient) {
  return {
    async gatewaysOf(householdId: string): Promise<GatewayRow[]> {
      const { rows } = await sql.query<GatewayRow>(
        `SELECT ${GATEWAY_COLUMNS} FROM gateways g LEFT JOIN gateway_presence p ON p.gateway_id = g.id
         WHERE g.household_id = $1 AND g.revoked_at IS NULL ORDER BY g.created_at, g.id`,
        [householdId],
      );
      return rows;
    },

    async gateway(id: string): Promise<GatewayRow | undefined> {
      const { rows } = await sql.query<GatewayRow>(
        `SELECT ${GATEWAY_COLUMNS} FROM gateways g LEFT JOIN gateway_presence p ON p.gateway_id = g.id
         WHERE g.id = $1`,
        [id],
      );
      return rows[0];
    },

    async rename(id: string, name: string): Promise<void> {
      await sql.query('UPDATE gateways SET name = $2 WHERE id = $1', [id, name]);
    },

    /**
     * Revokes the gateway and its refresh tokens; the registry trigger tells ingest, which disconnects it.
     * Its presence and nearby rows go: nothing it reported is shown any more. False if already revoked.
     */
    async revoke(id: string, now: number): Promise<boolean> {
      const { rows } = await sql.query(
        'UPDATE gateways SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id',
        [id, ts(now)],
      );
      await sql.query(
        'UPDATE gateway_refresh_tokens SET revoked_at = $2 WHERE gateway_id = $1 AND revoked_at IS NULL',
        [id, ts(now)],
      );
      await sql.query('DELETE FROM nearby_devices WHERE gateway_id = $1', [id]);
      await sql.query('DELETE FROM gateway_presence WHERE gateway_id = $1', [id]);
      return rows.length === 1;
    },

    /** What the household's unrevoked gateways heard since `since`; per address the latest sighting. */
    async nearbyOf(householdId: string, since: number): Promise<NearbyRow[]> {
      const { rows } = await sql.query<NearbyRow>(
        `SELECT DISTINCT ON (n.address) n.gateway_id, n.address, n.name, n.profile_id, n.model, n.maker,
           n.battery_percent, n.rssi, n.seen_at
         FROM nearby_devices n JOIN gateways g ON g.id = n.gateway_id
         WHERE g.household_id = $1 AND g.revoked_at IS NULL AND n.seen_at >= $2
         ORDER BY n.address, n.seen_at DESC, n.gateway_id`,
        [householdId, ts(since)],
      );
      return rows;
    },

    async insertCommand(c: NewCommand): Promise<CommandRow> {
      const { rows } = await sql.query<CommandRow>(
        `INSERT INTO gateway_commands (id, gateway_id, household_id, device_id, op, args, created_by, created_at,
           deadline)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9) RETURNING ${COMMAND_COLUMNS}`,
        [
          c.id,
          c.gatewayId,
          c.householdId,
          c.deviceId,
          c.op,
          JSON.stringify(c.args),
          c.createdBy,
          ts(c.createdAt),
          ts(c.deadline),
        ],
      );
      // Delivered at COMMIT, so a node never looks for a command it cannot see yet.
      await sql.query(`SELECT pg_notify('linkwell_commands', $1)`, [c.id]);
      return rows[0]!;
    },

    async command(id: string): Promise<CommandRow | undefined> {
      const { rows } = await sql.query<CommandRow>(
        `SELECT ${COMMAND_COLUMNS} FROM gateway_commands WHERE id = $1`,
        [id],
      );
      return rows[0];
    },

    /**
     * The timed_out rule (the same in ingest): an open command ends timed_out once its deadline passed and
     * its gateway's last status is offline or unknown (API_ERR_GATEWAY_OFFLINE), or once the answer grace
     * after the deadline passed too (API_ERR_COMMAND_TIMED_OUT when the gateway was online).
     */
    async expire(id: string, now: number, answerGraceMs: number): Promise<void> {
      await sql.query(
        `UPDATE gateway_commands c SET state = 'timed_out', finished_at = $2::timestamptz,
           args = c.args - 'passkey' - 'consent',
           error_code = CASE WHEN p.online IS TRUE THEN 'API_ERR_COMMAND_TIMED_OUT' ELSE 'API_ERR_GATEWAY_OFFLINE' END
         FROM gateways g LEFT JOIN gateway_presence p ON p.gateway_id = g.id
         WHERE c.id = $1 AND g.id = c.gateway_id AND c.state IN ('queued', 'sent')
           AND (c.deadline <= $2::timestamptz - make_interval(secs => $3::float8 / 1000)
                OR (c.deadline <= $2::timestamptz AND p.online IS NOT TRUE))`,
        [id, ts(now), answerGraceMs],
      );
    },
  };
}

export type GatewayOperationsRepository = ReturnType<typeof createGatewayOperationsRepository>;
