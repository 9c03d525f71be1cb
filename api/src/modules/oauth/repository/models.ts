import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { SqlClient } from '../../../db/sql-client.js';

/**
 * Models whose rows die with their grant. Sessions and interactions also carry a grantId but must outlive a
 * revocation (a person revoking one app stays signed in to the authorization server). The Grant row itself is
 * destroyed by oidc-provider's revoke helper through `destroy`.
 */
const GRANT_BOUND = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

const iso = (ms: number) => new Date(ms).toISOString();

interface ModelRow {
  payload: AdapterPayload;
  consumed_at: string | Date | null;
}

function withConsumed(row: ModelRow | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  // oidc-provider reads `consumed` (a truthy value) to detect replay of codes and rotated refresh tokens.
  return row.consumed_at === null
    ? row.payload
    : { ...row.payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) };
}

/**
 * oidc-provider's storage on the API's database (PGlite or PostgreSQL), one row per model instance in
 * `oauth_models` (the adapter interface of node-oidc-provider's example/my_adapter.js). Expired rows are never
 * returned; `sweepExpired` deletes them. `Client` is not served from here: registered clients live in
 * `oauth_clients` and the provider is given `clientSource` for that model.
 */
export function sqlAdapterFactory(
  db: SqlClient,
  opts: { now: () => number; clientSource: (model: string) => Adapter },
): AdapterFactory {
  return (model: string): Adapter => {
    if (model === 'Client') return opts.clientSource(model);
    const live = `model = $1 AND (expires_at IS NULL OR expires_at > $3)`;
    const one = async (column: 'id' | 'uid' | 'user_code', value: string) => {
      const { rows } = await db.query<ModelRow>(
        `SELECT payload, consumed_at FROM oauth_models WHERE ${live} AND ${column} = $2 LIMIT 1`,
        [model, value, iso(opts.now())],
      );
      return withConsumed(rows[0]);
    };
    return {
      async upsert(id, payload, expiresIn) {
        const expiresAt = expiresIn === undefined ? null : iso(opts.now() + expiresIn * 1000);
        const grantId = model === 'Grant' ? id : (payload.grantId ?? null);
        await db.query(
          `INSERT INTO oauth_models (model, id, payload, grant_id, uid, user_code, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
             uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
          [
            model,
            id,
            JSON.stringify(payload),
            grantId,
            payload.uid ?? null,
            payload.userCode ?? null,
            expiresAt,
          ],
        );
      },
      find: (id) => one('id', id),
      findByUid: (uid) => one('uid', uid),
      findByUserCode: (userCode) => one('user_code', userCode),
      async consume(id) {
        await db.query(
          'UPDATE oauth_models SET consumed_at = $3 WHERE model = $1 AND id = $2 AND consumed_at IS NULL',
          [model, id, iso(opts.now())],
        );
      },
      async destroy(id) {
        await db.query('DELETE FROM oauth_models WHERE model = $1 AND id = $2', [model, id]);
      },
      async revokeByGrantId(grantId) {
        if (!GRANT_BOUND.has(model)) return;
        await db.query('DELETE FROM oauth_models WHERE model = $1 AND grant_id = $2', [model, grantId]);
      },
    };
  };
}

/** Deletes rows past their expiry; returns how many went. */
export async function sweepExpired(db: SqlClient, nowMs: number): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>(
    `WITH gone AS (DELETE FROM oauth_models WHERE expires_at <= $1 RETURNING 1) SELECT count(*) AS n FROM gone`,
    [iso(nowMs)],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Whether a grant still exists (not revoked, not expired): the resource server's liveness check. */
export async function grantIsLive(db: SqlClient, grantId: string, nowMs: number): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM oauth_models WHERE model = 'Grant' AND id = $1 AND (expires_at IS NULL OR expires_at > $2)`,
    [grantId, iso(nowMs)],
  );
  return rows.length > 0;
}

export interface GrantRow {
  grantId: string;
  clientId: string;
  accountId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: string | null;
}

/** The live grants of one person: each is a connected app. */
export async function liveGrantsOf(db: SqlClient, accountId: string, nowMs: number): Promise<GrantRow[]> {
  const { rows } = await db.query<{ id: string; payload: AdapterPayload; expires_at: string | Date | null }>(
    `SELECT id, payload, expires_at FROM oauth_models
      WHERE model = 'Grant' AND payload->>'accountId' = $1 AND (expires_at IS NULL OR expires_at > $2)
      ORDER BY id`,
    [accountId, iso(nowMs)],
  );
  return rows.map((r) => {
    const p = r.payload as AdapterPayload & {
      openid?: { scope?: string };
      resources?: Record<string, string>;
      iat?: number;
    };
    const scopes = new Set<string>((p.openid?.scope ?? '').split(' ').filter(Boolean));
    for (const s of Object.values(p.resources ?? {}))
      for (const x of s.split(' ').filter(Boolean)) scopes.add(x);
    return {
      grantId: r.id,
      clientId: String(p.clientId ?? ''),
      accountId,
      scopes: [...scopes],
      issuedAt: (p.iat ?? 0) * 1000,
      expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
    };
  });
}
