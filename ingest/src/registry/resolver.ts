import type { Attribution } from '../attribution/attribution.js';
import { createRegistryReadModel, type RegistryReadModelOptions } from './read-model.js';

/**
 * The slice of a SQL client ingest needs; a PGlite-backed or pg-backed Database from @linkwell/api and a
 * pg Pool all fit. `listen`, when present, lets the registry read model hear about changes at once
 * (migration 0003's `linkwell_registry` channel); without it ingest relies on its periodic refresh.
 */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** 'pglite': one in-process connection (a transaction would hold up every other query). */
  readonly kind?: string;
  /** Runs `fn` in a transaction on one connection; the move executor's claims need it on PostgreSQL. */
  transaction?<T>(
    fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>,
  ): Promise<T>;
  listen?(
    channel: string,
    onPayload: (payload: string) => void,
    onError?: (err: Error) => void,
  ): Promise<() => Promise<void>>;
}

export interface DeviceAccount {
  deviceId: string;
  accountId: string;
  /** How this account was chosen; absent for a slot-mapped account (points.ts picks BLS or UDS by metric). */
  attr?: Attribution;
}

/** A device the gateway's household has claimed (view ingest_devices). */
export interface DeviceInfo {
  deviceId: string;
  householdId: string;
  /** single: one owner; slots: a user slot per member; weight: a shared scale attributed by weight. */
  attribution: 'single' | 'slots' | 'weight';
  slotCount: number | null;
}

export interface DeviceAccountResolver {
  resolve(gw: string, address: string, slot: number | null): Promise<DeviceAccount | undefined>;
  /** Drops cached answers (of `gateways`, or all), e.g. when the registry announces a claim or an unclaim. */
  invalidate(gateways?: Iterable<string>): void;
  /**
   * Loads a gateway's devices ahead of its readings (the broker calls it at CONNECT, not awaiting it); a
   * `resolve` during the load waits for it instead of querying again.
   */
  preload?(gw: string): Promise<void>;
  /** After `resolve` answered undefined: true when the device has other slots assigned (ambiguous slot). */
  knowsDevice?(gw: string, address: string): boolean;
  /** The claimed device at `address` (attribution mode, slot count); undefined when not claimed. */
  device?(gw: string, address: string): Promise<DeviceInfo | undefined>;
}

/** The registry read model (read-model.ts) under the name the pipeline has always used. */
export function createDeviceAccountResolver(
  db: SqlClient,
  opts: RegistryReadModelOptions = {},
): DeviceAccountResolver {
  return createRegistryReadModel(db, opts);
}
