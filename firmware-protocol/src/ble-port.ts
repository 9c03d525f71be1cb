/**
 * The GATT-level port between a central (the gateway) and a radio. device-sim implements it in memory;
 * the gateway's node-ble and noble adapters implement it over real stacks. UUIDs are lowercase strings:
 * 4 hex digits for SIG-assigned ones, the full 128-bit form otherwise.
 */
export interface ScanResult {
  address: string;
  name?: string;
  services: string[];
  rssi?: number;
}

export interface BleCentral {
  scan(opts: { durationMs: number; services?: string[] }): Promise<ScanResult[]>;
  connect(address: string): Promise<BleLink>;
}

export type Unsubscribe = () => Promise<void>;

export interface BleLink {
  readonly address: string;
  services(): Promise<string[]>;
  read(service: string, characteristic: string): Promise<Uint8Array>;
  write(
    service: string,
    characteristic: string,
    value: Uint8Array,
    opts?: { withResponse?: boolean },
  ): Promise<void>;
  subscribe(
    service: string,
    characteristic: string,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe>;
  onDisconnect(listener: (reason: string) => void): void;
  disconnect(): Promise<void>;
}
