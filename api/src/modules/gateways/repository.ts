import type { SqlClient } from '../../db/sql-client.js';

export type AuthorizationStatus = 'pending' | 'approved' | 'denied' | 'consumed';

export interface DeviceAuthorizationRow {
  id: string;
  userCode: string;
  clientId: string;
  gatewayName: string | null;
  gatewayModel: string | null;
  status: AuthorizationStatus;
  intervalSeconds: number;
  householdId: string | null;
  lastPolledAtMs: number | null;
  expiresAtMs: number;
}

interface RawRow {
  id: string;
  user_code: string;
  client_id: string;
  gateway_name: string | null;
  gateway_model: string | null;
  status: AuthorizationStatus;
  interval_seconds: number;
  household_id: string | null;
  last_polled_at: Date | string | null;
  expires_at: Date | string;
}

const COLUMNS = `id, user_code, client_id, gateway_name, gateway_model, status, interval_seconds, household_id,
  last_polled_at, expires_at`;

const ms = (v: Date | string): number => new Date(v).getTime();
const iso = (t: number): string => new Date(t).toISOString();

function fromRaw(r: RawRow): DeviceAuthorizationRow {
  return {
    id: r.id,
    userCode: r.user_code,
    clientId: r.client_id,
    gatewayName: r.gateway_name,
    gatewayModel: r.gateway_model,
    status: r.status,
    intervalSeconds: Number(r.interval_seconds),
    householdId: r.household_id,
    lastPolledAtMs: r.last_polled_at === null ? null : ms(r.last_polled_at),
    expiresAtMs: ms(r.expires_at),
  };
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown }).code === '23505';
}

export interface NewAuthorization {
  id: string;
  deviceCodeHash: string;
  clientId: string;
  gatewayName: string | null;
  gatewayModel: string | null;
  intervalSeconds: number;
  nowMs: number;
  expiresAtMs: number;
}

/**
 * The only SQL on gateways, device_authorizations and gateway_refresh_tokens. Every multi-row change is one
 * statement, so it needs no transaction. Household memberships belong to the households module.
 */
export function createDeviceFlowStore(db: SqlClient) {
  return {
    /**
     * Inserts a pending authorization with a user code from `nextUserCode`, drawing again when the code
     * collides with another pending one. Returns the user code used.
     */
    async insertAuthorization(a: NewAuthorization, nextUserCode: () => string): Promise<string> {
      for (let attempt = 0; ; attempt++) {
        const userCode = nextUserCode();
        try {
          await db.query(
            `INSERT INTO device_authorizations (id, device_code_hash, user_code, client_id, gateway_name,
               gateway_model, status, interval_seconds, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9)`,
            [
              a.id,
              a.deviceCodeHash,
              userCode,
              a.clientId,
              a.gatewayName,
              a.gatewayModel,
              a.intervalSeconds,
              iso(a.nowMs),
              iso(a.expiresAtMs),
            ],
          );
          return userCode;
        } catch (err) {
          if (!isUniqueViolation(err) || attempt >= 4) throw err;
        }
      }
    },

    async byDeviceCodeHash(hash: string): Promise<DeviceAuthorizationRow | undefined> {
      const { rows } = await db.query<RawRow>(
        `SELECT ${COLUMNS} FROM device_authorizations WHERE device_code_hash = $1`,
        [hash],
      );
      return rows[0] && fromRaw(rows[0]);
    },

    /** The pending authorization with this user code if there is one, else the most recent one. */
    async byUserCode(userCode: string): Promise<DeviceAuthorizationRow | undefined> {
      const { rows } = await db.query<RawRow>(
        `SELECT ${COLUMNS} FROM device_authorizations WHERE user_code = $1
         ORDER BY (status = 'pending') DESC, created_at DESC LIMIT 1`,
        [userCode],
      );
      return rows[0] && fromRaw(rows[0]);
    },

    async recordPoll(id: string, nowMs: number, intervalSeconds: number): Promise<void> {
      await db.query(
        'UPDATE device_authorizations SET last_polled_at = $2, interval_seconds = $3 WHERE id = $1',
        [id, iso(nowMs), intervalSeconds],
      );
    },

    /** pending → approved/denied; false when someone decided first. */
    async decide(
      id: string,
      decision: 'approved' | 'denied',
      accountId: string,
      householdId: string | null,
    ): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE device_authorizations SET status = $2, decided_by = $3, household_id = $4
         WHERE id = $1 AND status = 'pending' RETURNING id`,
        [id, decision, accountId, householdId],
      );
      return rows.length === 1;
    },

    /**
     * approved → consumed, creating the gateway in the approving household and its first refresh token,
     * in one statement: either all three happen or none. Undefined when the authorization was not
     * (or no longer) approved, e.g. a concurrent poll consumed it first.
     */
    async consume(
      id: string,
      gateway: { id: string; defaultName: string },
      refresh: { hash: string; nowMs: number; expiresAtMs: number },
    ): Promise<{ gatewayId: string; householdId: string } | undefined> {
      const { rows } = await db.query<{ gateway_id: string; household_id: string }>(
        `WITH claimed AS (
           UPDATE device_authorizations SET status = 'consumed', gateway_id = $2
           WHERE id = $1 AND status = 'approved'
           RETURNING household_id, gateway_name
         ), gw AS (
           INSERT INTO gateways (id, household_id, name, created_at)
           SELECT $2, household_id, COALESCE(gateway_name, $3), $5 FROM claimed
           RETURNING id, household_id
         ), rt AS (
           INSERT INTO gateway_refresh_tokens (token_hash, gateway_id, created_at, expires_at)
           SELECT $4, id, $5, $6 FROM gw
           RETURNING gateway_id
         )
         SELECT rt.gateway_id, gw.household_id FROM rt JOIN gw ON gw.id = rt.gateway_id`,
        [id, gateway.id, gateway.defaultName, refresh.hash, iso(refresh.nowMs), iso(refresh.expiresAtMs)],
      );
      const row = rows[0];
      return row && { gatewayId: row.gateway_id, householdId: row.household_id };
    },

    /**
     * Exchanges a refresh token for a new one (rotation) in one statement. Undefined when the token is
     * unknown, used, revoked, expired, or its gateway is revoked.
     */
    async rotateRefreshToken(
      oldHash: string,
      fresh: { hash: string; nowMs: number; expiresAtMs: number },
    ): Promise<string | undefined> {
      const { rows } = await db.query<{ gateway_id: string }>(
        `WITH used AS (
           UPDATE gateway_refresh_tokens t SET used_at = $3
           WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > $3
             AND EXISTS (SELECT 1 FROM gateways g WHERE g.id = t.gateway_id AND g.revoked_at IS NULL)
           RETURNING t.gateway_id
         )
         INSERT INTO gateway_refresh_tokens (token_hash, gateway_id, created_at, expires_at)
         SELECT $2, gateway_id, $3, $4 FROM used
         RETURNING gateway_id`,
        [oldHash, fresh.hash, iso(fresh.nowMs), iso(fresh.expiresAtMs)],
      );
      return rows[0]?.gateway_id;
    },

    /**
     * A refresh token that was already exchanged came back: someone holds a copy. Revokes every refresh
     * token of that gateway (OAuth 2.0 Security BCP, refresh token rotation); the gateway must be linked
     * again. Returns the gateway id when `hash` was such a used token.
     */
    async revokeFamilyOnReuse(hash: string, nowMs: number): Promise<string | undefined> {
      const { rows } = await db.query<{ gateway_id: string }>(
        `UPDATE gateway_refresh_tokens SET revoked_at = $2
         WHERE revoked_at IS NULL AND gateway_id = (
           SELECT gateway_id FROM gateway_refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL
         )
         RETURNING gateway_id`,
        [hash, iso(nowMs)],
      );
      return rows[0]?.gateway_id;
    },
  };
}

export type DeviceFlowStore = ReturnType<typeof createDeviceFlowStore>;
