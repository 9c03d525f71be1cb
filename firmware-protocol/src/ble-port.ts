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
  /** Service Data AD structures by service UUID, e.g. a Mi Scale's 0x181D/0x181B payload. */
  serviceData?: Record<string, Uint8Array>;
  /** Manufacturer Specific Data by company identifier. */
  manufacturerData?: Record<number, Uint8Array>;
  connectable?: boolean;
}

/** Which advertisements a watch reports: a device advertising or carrying service data for one of `services`. */
export interface AdvertWatchOptions {
  services?: string[];
}

/** Ends an advertisement watch; the stack's discovery stops once nothing else needs it. */
export type StopWatching = () => Promise<void>;

export interface BleCentral {
  scan(opts: { durationMs: number; services?: string[] }): Promise<ScanResult[]>;
  /**
   * Reports advertisements until the returned function is called: at least every change of a device's
   * service data, manufacturer data or RSSI, possibly every advertising report. Each report is the device's
   * whole current advertisement, not a delta. Optional: a central without it cannot receive readings from
   * advertisement-only devices (docs/gateway-advertisements.md).
   */
  watchAdvertisements?(opts: AdvertWatchOptions, onAdvert: (r: ScanResult) => void): Promise<StopWatching>;
  connect(address: string): Promise<BleLink>;
  /**
   * Bonds with a connected device (an existing bond counts as success). Optional: a central without it cannot
   * reach characteristics that need an encrypted link, such as the User Data Service's control point.
   */
  pair?(address: string): Promise<void>;
}

export type Unsubscribe = () => Promise<void>;

export type GattProperty = 'read' | 'write' | 'write-without-response' | 'notify' | 'indicate';

export interface CharacteristicInfo {
  uuid: string;
  properties: GattProperty[];
}

export interface BleLink {
  readonly address: string;
  services(): Promise<string[]>;
  characteristics(service: string): Promise<CharacteristicInfo[]>;
  read(service: string, characteristic: string): Promise<Uint8Array>;
  write(
    service: string,
    characteristic: string,
    value: Uint8Array,
    opts?: { withResponse?: boolean },
  ): Promise<void>;
  /**
   * Enables notifications, or indications when the characteristic only indicates (the stack confirms
   * each indication itself).
   */
  subscribe(
    service: string,
    characteristic: string,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe>;
  onDisconnect(listener: (reason: string) => void): void;
  disconnect(): Promise<void>;
}
