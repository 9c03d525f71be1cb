import type { EventEmitter } from 'node:events';

/**
 * The slice of noble's object model (1.9.2, `with-bindings`) the adapter uses. noble's bundled typings
 * describe only its default export, which opens a raw HCI socket on import, so the shapes live here.
 */
export type NobleState =
  | 'unknown'
  | 'resetting'
  | 'unsupported'
  | 'unauthorized'
  | 'poweredOff'
  | 'poweredOn';

export interface NobleAdvertisement {
  localName?: string;
  serviceUuids?: string[];
  serviceData?: { uuid: string; data: Buffer }[];
  /** Company identifier, little-endian, then the data. */
  manufacturerData?: Buffer;
  txPowerLevel?: number;
}

export interface NobleCharacteristic extends EventEmitter {
  readonly uuid: string;
  readonly properties: string[];
  readAsync(): Promise<Buffer>;
  writeAsync(data: Buffer, withoutResponse: boolean): Promise<void>;
  subscribeAsync(): Promise<void>;
  unsubscribeAsync(): Promise<void>;
}

export interface NobleService {
  readonly uuid: string;
  discoverCharacteristicsAsync(uuids: string[]): Promise<NobleCharacteristic[]>;
}

export interface NoblePeripheral extends EventEmitter {
  readonly id: string;
  readonly address: string;
  readonly connectable: boolean;
  readonly advertisement: NobleAdvertisement;
  readonly rssi: number;
  readonly state: 'error' | 'connecting' | 'connected' | 'disconnecting' | 'disconnected';
  readonly mtu: number | null;
  connectAsync(options?: object): Promise<void>;
  cancelConnect(options?: object): void;
  disconnect(callback?: () => void): void;
  discoverServicesAsync(uuids: string[]): Promise<NobleService[]>;
}

export interface Noble extends EventEmitter {
  /** Reading it initialises the bindings if nothing has yet. */
  readonly state: NobleState;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
}
