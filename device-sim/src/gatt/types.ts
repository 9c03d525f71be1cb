/**
 * The simulated GATT server's declarations. UUIDs are lowercase: 4 hex digits for SIG-assigned ones, the
 * full 128-bit form otherwise (transports expand or shorten them as their stack expects).
 */
export type CharProperty = 'read' | 'write' | 'write-without-response' | 'notify' | 'indicate';

/** Who may touch an attribute: anyone, or only a central that has bonded (encrypted link). */
export type AttSecurity = 'open' | 'bonded';

export interface AttContext {
  /** Identifier of the connected central, stable across its connections (its bond key). */
  readonly central: string;
  readonly encrypted: boolean;
  /** Byte offset of a long read (Read Blob) or prepared write. */
  readonly offset: number;
}

export interface CharacteristicDef {
  uuid: string;
  properties: CharProperty[];
  security?: AttSecurity;
  read?: (ctx: AttContext) => Uint8Array | Promise<Uint8Array>;
  write?: (value: Uint8Array, ctx: AttContext) => void | Promise<void>;
  /** Extra descriptors; the CCCD (0x2902) is implied by notify/indicate and handled by the connection. */
  descriptors?: DescriptorDef[];
}

export interface DescriptorDef {
  uuid: string;
  value: Uint8Array;
}

export interface ServiceDef {
  uuid: string;
  characteristics: CharacteristicDef[];
}

export interface Advertisement {
  localName?: string;
  serviceUuids: string[];
  /** Service Data AD structures keyed by service UUID (Core Supplement Part A §1.11). */
  serviceData?: Record<string, Uint8Array>;
  /** Manufacturer Specific Data keyed by company identifier (Core Supplement Part A §1.4). */
  manufacturerData?: Record<number, Uint8Array>;
  txPower?: number;
  rssi: number;
  connectable: boolean;
}

/** How the peripheral pairs: Just Works, or Passkey Entry with the passkey shown on the device. */
export type PairingMethod = 'just-works' | 'passkey';

export interface PairingSpec {
  method: PairingMethod;
  /** Six digits the device "displays" for passkey entry. */
  passkey?: string;
}

export type ValueKind = 'notification' | 'indication';

/** CCCD value written by a central (Core Vol 3 Part G §3.3.3.3): bit 0 notify, bit 1 indicate. */
export type CccdMode = 'off' | 'notify' | 'indicate';
