import { SINGLE_OWNER } from '../attribution/attribution.js';
import { IngestError } from '../errors.js';
import type { DeviceAccount, DeviceAccountResolver, DeviceInfo, SqlClient } from './resolver.js';

// The API's read contracts: ingest_devices (every device the gateway's household claimed, with how it is
// attributed) joined to ingest_device_accounts (who is assigned to which slot). A gateway sees only its own
// household's devices, and a revoked gateway sees none. The account always comes from here, never from a
// payload. One query per batch of gateways; a claimed device with nobody assigned is one row without account.
const QUERY = `SELECT d.gateway_id, d.device_address, d.device_id, d.household_id, d.attribution, d.slot_count,
       a.slot, a.account_id
FROM ingest_devices d
LEFT JOIN ingest_device_accounts a ON a.gateway_id = d.gateway_id AND a.device_id = d.device_id
WHERE d.gateway_id = ANY($1::text[])`;

interface Row {
  gateway_id: string;
  device_address: string;
  device_id: string;
  household_id: string;
  attribution: DeviceInfo['attribution'];
  slot_count: number | null;
  slot: number | null;
  account_id: string | null;
}

interface GatewayEntry {
  accounts: Map<string, DeviceAccount>;
  /** Claimed devices by address, to tell an unassigned slot or a shared scale from an unknown device. */
  devices: Map<string, DeviceInfo>;
  /** The rows, sorted, to notice a change in a periodic refresh. */
  signature: string;
}

interface Waiter {
  promise: Promise<GatewayEntry>;
  resolve: (e: GatewayEntry) => void;
  reject: (err: Error) => void;
}

export interface RegistryReadModelOptions {
  /** Gateways per registry query: a CONNECT storm is loaded in batches of up to this many. Default 500. */
  batchSize?: number;
  /**
   * How long a load waits for more gateways to share its query. Default 2 ms: during a CONNECT storm the
   * registry answers a few large queries instead of one per gateway; a lone gateway waits 2 ms once.
   */
  lingerMs?: number;
  /** Gateways kept; beyond this the least recently loaded one is forgotten. Default 100 000. */
  maxGateways?: number;
  /** Called with the number of cached gateways whenever it changes. */
  onSize?: (gateways: number) => void;
}

export interface RegistryReadModel extends DeviceAccountResolver {
  preload(gw: string): Promise<void>;
  knowsDevice(gw: string, address: string): boolean;
  /** The claimed device at `address` in the gateway's household, loading the gateway when needed. */
  device(gw: string, address: string): Promise<DeviceInfo | undefined>;
  /** Re-reads every cached gateway; resolves with those whose devices or assignments changed. */
  refreshAll(): Promise<string[]>;
  stats(): { gateways: number; assignments: number };
}

const keyOf = (address: string, slot: number | null) => `${address}|${slot ?? ''}`;

/**
 * Per-gateway read model of `(gateway, device, slot) → account`. A gateway's whole household is loaded in
 * one query, queries for many gateways are merged (`= ANY($1)`), and entries stay until the registry says
 * they changed (`invalidate`, from the change feed) — no TTL. A load that an invalidation overtakes is not
 * kept: it is queried again, so an answer never predates the change that invalidated it.
 */
export function createRegistryReadModel(
  db: SqlClient,
  opts: RegistryReadModelOptions = {},
): RegistryReadModel {
  const batchSize = opts.batchSize ?? 500;
  const lingerMs = opts.lingerMs ?? 2;
  const maxGateways = opts.maxGateways ?? 100_000;
  const entries = new Map<string, GatewayEntry>();
  const waiting = new Map<string, Waiter>();
  /** Bumped by each invalidation of a gateway that is being loaded; compared when its load returns. */
  const generation = new Map<string, number>();
  let allGeneration = 0;
  let queue: string[] = [];
  let scheduled = false;
  let querying = false;

  const genOf = (gw: string) => `${allGeneration}:${generation.get(gw) ?? 0}`;

  async function query(gws: string[]): Promise<Map<string, GatewayEntry>> {
    let rows: Row[];
    try {
      ({ rows } = await db.query<Row>(QUERY, [gws]));
    } catch (err) {
      throw new IngestError('INGEST_ERR_REGISTRY_UNAVAILABLE', (err as Error).message, { cause: err });
    }
    const byGw = new Map<string, Row[]>(gws.map((gw) => [gw, []]));
    for (const r of rows) byGw.get(r.gateway_id)?.push(r);
    return new Map([...byGw].map(([gw, rs]) => [gw, build(rs)]));
  }

  function store(gw: string, e: GatewayEntry): void {
    entries.delete(gw);
    entries.set(gw, e);
    if (entries.size > maxGateways) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
    opts.onSize?.(entries.size);
  }

  function ensure(gw: string): Promise<GatewayEntry> {
    const w = waiting.get(gw);
    if (w) return w.promise;
    let resolve!: Waiter['resolve'];
    let reject!: Waiter['reject'];
    const promise = new Promise<GatewayEntry>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A preload nobody awaits must not become an unhandled rejection; awaiting callers still see it.
    promise.catch(() => {});
    waiting.set(gw, { promise, resolve, reject });
    queue.push(gw);
    schedule();
    return promise;
  }

  function schedule(): void {
    if (scheduled || querying) return;
    scheduled = true;
    setTimeout(() => void flush(), queue.length >= batchSize ? 0 : lingerMs);
  }

  async function flush(): Promise<void> {
    scheduled = false;
    if (queue.length === 0) return;
    querying = true;
    const batch = queue.slice(0, batchSize);
    queue = queue.slice(batchSize);
    const started = batch.map(genOf);
    try {
      const built = await query(batch);
      batch.forEach((gw, i) => {
        if (genOf(gw) !== started[i]) {
          queue.push(gw); // invalidated meanwhile: the answer may predate the change
          return;
        }
        const e = built.get(gw)!;
        store(gw, e);
        generation.delete(gw);
        const w = waiting.get(gw);
        waiting.delete(gw);
        w?.resolve(e);
      });
    } catch (err) {
      for (const gw of batch) {
        const w = waiting.get(gw);
        waiting.delete(gw);
        generation.delete(gw);
        w?.reject(err as Error);
      }
    } finally {
      querying = false;
      if (queue.length > 0) schedule();
    }
  }

  return {
    async resolve(gw, address, slot) {
      const e = entries.get(gw) ?? (await ensure(gw));
      return e.accounts.get(keyOf(address, slot));
    },
    preload(gw) {
      if (entries.has(gw)) return Promise.resolve();
      return ensure(gw).then(
        () => {},
        () => {}, // the next resolve queries again and reports the failure
      );
    },
    knowsDevice(gw, address) {
      return entries.get(gw)?.devices.has(address) ?? false;
    },
    async device(gw, address) {
      const e = entries.get(gw) ?? (await ensure(gw));
      return e.devices.get(address);
    },
    invalidate(gateways) {
      const reload: string[] = [];
      if (gateways === undefined) {
        allGeneration += 1;
        reload.push(...entries.keys());
        entries.clear();
      } else {
        for (const gw of gateways) {
          if (waiting.has(gw)) generation.set(gw, (generation.get(gw) ?? 0) + 1);
          if (entries.delete(gw)) reload.push(gw);
        }
      }
      opts.onSize?.(entries.size);
      // Gateways that were cached are probably connected: load them again before their next reading.
      for (const gw of reload) ensure(gw).catch(() => {});
    },
    async refreshAll() {
      const changed: string[] = [];
      const gws = [...entries.keys()];
      for (let i = 0; i < gws.length; i += batchSize) {
        const chunk = gws.slice(i, i + batchSize);
        const started = chunk.map(genOf);
        const built = await query(chunk);
        chunk.forEach((gw, j) => {
          const old = entries.get(gw);
          const next = built.get(gw)!;
          if (!old || genOf(gw) !== started[j] || old.signature === next.signature) return;
          store(gw, next);
          changed.push(gw);
        });
      }
      return changed;
    },
    stats() {
      let assignments = 0;
      for (const e of entries.values()) assignments += e.accounts.size;
      return { gateways: entries.size, assignments };
    },
  };
}

function build(rows: Row[]): GatewayEntry {
  const accounts = new Map<string, DeviceAccount>();
  const devices = new Map<string, DeviceInfo>();
  const sig: string[] = [];
  for (const r of rows) {
    devices.set(r.device_address, {
      deviceId: r.device_id,
      householdId: r.household_id,
      attribution: r.attribution,
      slotCount: r.slot_count,
    });
    sig.push(
      `${r.device_address}|${r.device_id}|${r.attribution}|${r.slot_count ?? ''}|${r.slot ?? ''}|${r.account_id ?? ''}`,
    );
    if (r.account_id === null) continue;
    // int2 arrives as a number from PGlite and pg alike; NULL is the device's one owner. A slot's method
    // (BLS or UDS) depends on the metric, so points.ts picks it per reading.
    accounts.set(keyOf(r.device_address, r.slot), {
      deviceId: r.device_id,
      accountId: r.account_id,
      ...(r.slot === null ? { attr: SINGLE_OWNER } : {}),
    });
  }
  return { accounts, devices, signature: sig.sort().join(',') };
}
