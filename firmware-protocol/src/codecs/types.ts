/**
 * One entry per characteristic (or advertisement service-data UUID). The registry drives the CLI, the public
 * vector test, the fuzz test and the benchmark, so a new codec is exercised everywhere by being listed.
 */
export interface CodecEntry<T = unknown> {
  /** 16-bit UUID, 4 lowercase hex digits: '2a35', or '181d' for advertisement service data. */
  uuid: string;
  name: string;
  transport: 'gatt' | 'adv_service_data';
  decode(frame: Uint8Array): T;
  encode(value: T): Uint8Array;
  /**
   * The decoded value in the public-vector convention (shared/protocol-vectors/README.md): `valid: true`,
   * snake_case keys with explicit unit suffixes, nested `timestamp` / `measurement_status` objects,
   * special numbers as strings. The CLI prints exactly this.
   */
  view(value: T): Record<string, unknown>;
}

/** Lets a module declare entries of different value types in one array. */
export function codec<T>(entry: CodecEntry<T>): CodecEntry<unknown> {
  return entry as unknown as CodecEntry<unknown>;
}
