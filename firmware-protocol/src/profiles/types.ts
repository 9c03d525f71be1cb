import type { DateTime } from '../date-time.js';

/** What a measurement block yields per frame: canonical values, quality flags and any device-side context. */
export interface BlockReading {
  values: Record<string, number>;
  quality: string[];
  /** Epoch ms from the frame's own time stamp, when it has one. */
  deviceTime?: number;
  /**
   * The frame's time stamp exactly as the device sent it, also when `deviceTime` is left out because the clock
   * looks unset (before 2001): the gateway needs it to correct such times with the offset it measured.
   */
  deviceDateTime?: DateTime;
  /** User index on multi-user devices; null when the frame carries none. */
  slot: number | null;
  /** The device's unit when `values` were converted to the canonical one (UCUM). */
  origUnit?: string;
}

/**
 * A reusable unit of device behaviour: which characteristic to listen to, how it is delivered and how a
 * frame becomes readings. Devices are lists of blocks; adding a device needs no code in the gateway.
 */
export interface MeasurementBlock {
  id: string;
  service: number;
  characteristic: number;
  /**
   * How frames arrive. `advertisement` blocks read service data from scan results (no connection); their
   * `characteristic` is the service-data UUID, which is also the codec registry key.
   */
  delivery: 'notify' | 'indicate' | 'advertisement';
  metric: string;
  decode(frame: Uint8Array): BlockReading[];
}

/** Every given criterion must hold; at least one must be given. */
export interface ProfileMatcher {
  /** Any advertised 16-bit service UUID (or service-data UUID) in this list matches. */
  services?: readonly number[];
  namePattern?: RegExp;
  /** Manufacturer-specific data: company identifier (Assigned Numbers §7) and optional leading bytes as hex. */
  manufacturerData?: { companyId: number; prefix?: string };
}

export interface DeviceProfile {
  id: string;
  /** Set for vendor records: what is special about the device, for support and for the gateway's set-up steps. */
  notes?: string;
  vendor: string;
  model: string;
  kind: 'wristband' | 'bp_cuff' | 'scale' | 'pulse_oximeter' | 'thermometer';
  match: ProfileMatcher;
  blocks: readonly MeasurementBlock[];
}

export interface Advertisement {
  name?: string;
  services: readonly number[];
  /** Company id → payload, as BlueZ's ManufacturerData and noble's manufacturerData carry it. */
  manufacturerData?: ReadonlyMap<number, Uint8Array>;
}
