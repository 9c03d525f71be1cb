import { IngestError } from '../errors.js';

/** The slice of a SQL client ingest needs; a PGlite instance and a pg Pool both fit. */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface DeviceAccount {
  deviceId: string;
  accountId: string;
}

export interface DeviceAccountResolver {
  resolve(gw: string, address: string, slot: number | null): Promise<DeviceAccount | undefined>;
  /** Drops cached answers, e.g. when the API announces a claim or an unclaim. */
  invalidate(): void;
}

export interface ResolverOptions {
  positiveTtlMs?: number;
  /** Kept short so a device claimed a moment ago starts flowing quickly. */
  negativeTtlMs?: number;
  now?: () => number;
}

// The API's read contract (view ingest_device_accounts): only the gateway's own household's devices.
const QUERY =
  'SELECT device_id, account_id FROM ingest_device_accounts WHERE gateway_id = $1 AND device_address = $2 AND slot IS NOT DISTINCT FROM $3';

/**
 * Cached (gateway, device, slot) → account lookups. The account always comes from the registry,
 * never from the payload, so a gateway cannot write into someone else's account.
 */
export function createDeviceAccountResolver(
  db: SqlClient,
  opts: ResolverOptions = {},
): DeviceAccountResolver {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { value: DeviceAccount | undefined; expires: number }>();
  const inflight = new Map<string, Promise<DeviceAccount | undefined>>();

  async function load(gw: string, address: string, slot: number | null): Promise<DeviceAccount | undefined> {
    let rows: { device_id: string; account_id: string }[];
    try {
      ({ rows } = await db.query<{ device_id: string; account_id: string }>(QUERY, [gw, address, slot]));
    } catch (err) {
      throw new IngestError('INGEST_ERR_REGISTRY_UNAVAILABLE', (err as Error).message, { cause: err });
    }
    const row = rows[0];
    return row ? { deviceId: row.device_id, accountId: row.account_id } : undefined;
  }

  return {
    async resolve(gw, address, slot) {
      const key = `${gw}|${address}|${slot ?? ''}`;
      const hit = cache.get(key);
      if (hit && hit.expires > now()) return hit.value;
      const pending = inflight.get(key);
      if (pending) return pending;
      const p = load(gw, address, slot).then(
        (value) => {
          const ttl = value ? (opts.positiveTtlMs ?? 30_000) : (opts.negativeTtlMs ?? 2_000);
          cache.set(key, { value, expires: now() + ttl });
          inflight.delete(key);
          return value;
        },
        (err) => {
          inflight.delete(key);
          throw err;
        },
      );
      inflight.set(key, p);
      return p;
    },
    invalidate() {
      cache.clear();
    },
  };
}
