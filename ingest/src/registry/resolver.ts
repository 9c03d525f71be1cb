import { createRegistryReadModel, type RegistryReadModelOptions } from './read-model.js';

/**
 * The slice of a SQL client ingest needs; a PGlite-backed or pg-backed Database from @linkwell/api and a
 * pg Pool all fit. `listen`, when present, lets the registry read model hear about changes at once
 * (migration 0003's `linkwell_registry` channel); without it ingest relies on its periodic refresh.
 */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  listen?(
    channel: string,
    onPayload: (payload: string) => void,
    onError?: (err: Error) => void,
  ): Promise<() => Promise<void>>;
}

export interface DeviceAccount {
  deviceId: string;
  accountId: string;
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
}

/** The registry read model (read-model.ts) under the name the pipeline has always used. */
export function createDeviceAccountResolver(
  db: SqlClient,
  opts: RegistryReadModelOptions = {},
): DeviceAccountResolver {
  return createRegistryReadModel(db, opts);
}
