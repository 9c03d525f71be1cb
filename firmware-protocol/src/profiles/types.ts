/** What a measurement block yields per frame: canonical values, quality flags and any device-side context. */
export interface BlockReading {
  values: Record<string, number>;
  quality: string[];
  /** Epoch ms from the frame's own time stamp, when it has one. */
  deviceTime?: number;
  /** User index on multi-user devices; null when the frame carries none. */
  slot: number | null;
}

/**
 * A reusable unit of device behaviour: which characteristic to listen to, how it is delivered and how a
 * frame becomes readings. Devices are lists of blocks; adding a device needs no code in the gateway.
 */
export interface MeasurementBlock {
  id: string;
  service: number;
  characteristic: number;
  delivery: 'notify' | 'indicate';
  metric: string;
  decode(frame: Uint8Array): BlockReading[];
}

export interface ProfileMatcher {
  /** Any advertised 16-bit service UUID in this list matches. */
  services?: readonly number[];
  namePattern?: RegExp;
}

export interface DeviceProfile {
  id: string;
  vendor: string;
  model: string;
  kind: 'wristband' | 'bp_cuff' | 'scale' | 'pulse_oximeter' | 'thermometer';
  match: ProfileMatcher;
  blocks: readonly MeasurementBlock[];
}

export interface Advertisement {
  name?: string;
  services: readonly number[];
}
