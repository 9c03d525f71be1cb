import { ByteReader, ByteWriter } from '../bytes.js';
import { ProtocolError } from '../errors.js';
import {
  bitsFromRaw,
  bitsToRaw,
  bitsView,
  DEVICE_AND_SENSOR_STATUS,
  MEASUREMENT_STATUS,
  type PlxBits,
  type PlxDeviceAndSensorStatus,
  type PlxFeatureFlag,
  type PlxMeasurementStatus,
  SUPPORTED_FEATURES,
} from './pulse-oximeter-bits.js';

/**
 * PLX Features 0x2A60 (PLXS v1.0.1 §3.3, Table 3.8): Supported Features u16, then the Measurement Status
 * Support mask u16 when bit 0 is set, then the Device and Sensor Status Support mask u24 when bit 1 is set.
 * The masks use the same bit positions as the status fields they describe.
 */
export interface PlxFeatures {
  supportedFeatures: PlxBits<PlxFeatureFlag>;
  /** Present exactly when `supportedFeatures` has `measurement_status`. */
  measurementStatusSupport?: PlxMeasurementStatus;
  /** Present exactly when `supportedFeatures` has `device_and_sensor_status`. */
  deviceAndSensorStatusSupport?: PlxDeviceAndSensorStatus;
}

const FEATURE_MEASUREMENT_STATUS = 0x0001;
const FEATURE_DEVICE_STATUS = 0x0002;
/** Supported Features 2 + Measurement Status Support 2 + Device and Sensor Status Support 3. */
const MAX_LENGTH = 7;

export function decodePlxFeatures(frame: Uint8Array): PlxFeatures {
  if (frame.length > MAX_LENGTH) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `PLX features is at most ${MAX_LENGTH} bytes, got ${frame.length}`,
      MAX_LENGTH,
    );
  }
  const r = new ByteReader(frame);
  const raw = r.u16('supported features');
  const out: PlxFeatures = { supportedFeatures: bitsFromRaw(SUPPORTED_FEATURES, raw) };
  // PLXS v1.0.1 Table 3.8: bit 0 → Measurement Status Support present; bit 1 → Device and Sensor Status Support.
  if (raw & FEATURE_MEASUREMENT_STATUS) {
    out.measurementStatusSupport = bitsFromRaw(MEASUREMENT_STATUS, r.u16('measurement status support'));
  }
  if (raw & FEATURE_DEVICE_STATUS) {
    out.deviceAndSensorStatusSupport = bitsFromRaw(
      DEVICE_AND_SENSOR_STATUS,
      r.u24('device and sensor status support'),
    );
  }
  if (r.remaining > 0) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `${r.remaining} trailing byte(s) after the last announced field`,
      r.offset,
    );
  }
  return out;
}

/** Encodes 0x2A60; a support mask must be given exactly when its feature bit is set, since the bit announces it. */
export function encodePlxFeatures(f: PlxFeatures): Uint8Array {
  const raw = bitsToRaw(SUPPORTED_FEATURES, f.supportedFeatures);
  requirePresence(raw & FEATURE_MEASUREMENT_STATUS, f.measurementStatusSupport, 'measurement status');
  requirePresence(raw & FEATURE_DEVICE_STATUS, f.deviceAndSensorStatusSupport, 'device and sensor status');
  const w = new ByteWriter().u16(raw);
  if (f.measurementStatusSupport !== undefined)
    w.u16(bitsToRaw(MEASUREMENT_STATUS, f.measurementStatusSupport));
  if (f.deviceAndSensorStatusSupport !== undefined) {
    w.u24(bitsToRaw(DEVICE_AND_SENSOR_STATUS, f.deviceAndSensorStatusSupport));
  }
  return w.bytes();
}

function requirePresence(flagged: number, mask: unknown, what: string): void {
  if ((flagged !== 0) !== (mask !== undefined)) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      flagged
        ? `the ${what} feature is supported but its support mask is missing`
        : `a ${what} support mask needs the ${what} feature bit`,
    );
  }
}

export function plxFeaturesView(f: PlxFeatures): Record<string, unknown> {
  const out: Record<string, unknown> = {
    valid: true,
    raw: bitsToRaw(SUPPORTED_FEATURES, f.supportedFeatures),
  };
  for (const name of SUPPORTED_FEATURES.names)
    out[`${name}_supported`] = f.supportedFeatures.flags.includes(name);
  return {
    ...out,
    ...bitsView('measurement_status_support', MEASUREMENT_STATUS, f.measurementStatusSupport),
    ...bitsView('device_and_sensor_status_support', DEVICE_AND_SENSOR_STATUS, f.deviceAndSensorStatusSupport),
  };
}
