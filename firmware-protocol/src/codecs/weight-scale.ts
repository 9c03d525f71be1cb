import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { type DateTime, readDateTime, writeDateTime } from '../date-time.js';
import { ProtocolError } from '../errors.js';
import { codec } from './types.js';
import {
  HEIGHT_RESOLUTIONS,
  heightFromRaw,
  heightKey,
  heightToRaw,
  MASS_RESOLUTIONS,
  type MeasurementUnits,
  massFromRaw,
  massKey,
  massToRaw,
  requireLength,
  resolutionName,
  toRaw,
  userIdView,
} from './weight-scale-common.js';

export interface WeightMeasurement {
  units: MeasurementUnits;
  /** kg (SI, 0.005 steps) or lb (imperial, 0.01 steps); null = "Measurement Unsuccessful" (raw 0xFFFF). */
  weight: number | null;
  timestamp?: DateTime;
  /** 0xFF = unknown user / guest. */
  userId?: number;
  /** BMI and Height share flags bit 3, so they are present together or not at all. */
  bmiAndHeight?: {
    /** kg/m², 0.1 steps. */
    bmi: number;
    /** m (SI, 0.001 steps) or in (imperial, 0.1 steps). */
    height: number;
  };
}

const FLAG_IMPERIAL = 0x01;
const FLAG_TIME_STAMP = 0x02;
const FLAG_USER_ID = 0x04;
const FLAG_BMI_HEIGHT = 0x08;
const WEIGHT_UNSUCCESSFUL = 0xffff;

/** Decodes Weight Measurement 0x2A9D (WSS v1.0 §3.2). Flags bits 4-7 are RFU and ignored. */
export function decodeWeightMeasurement(frame: Uint8Array): WeightMeasurement {
  const r = new ByteReader(frame);
  const flags = r.u8('flags');
  // WSS v1.0 §3.2 Flags: flags bit 0 selects SI (kg, m) or imperial (lb, in) for Weight and Height.
  const units: MeasurementUnits = flags & FLAG_IMPERIAL ? 'imperial' : 'si';
  const rawWeight = r.u16('weight');
  const out: WeightMeasurement = {
    units,
    weight: rawWeight === WEIGHT_UNSUCCESSFUL ? null : massFromRaw(rawWeight, units),
  };
  // WSS v1.0 §3.2 Flags: bit 1 → Time Stamp, bit 2 → User ID, bit 3 → BMI and Height, in that order.
  if (flags & FLAG_TIME_STAMP) out.timestamp = readDateTime(r);
  if (flags & FLAG_USER_ID) out.userId = r.u8('user ID');
  if (flags & FLAG_BMI_HEIGHT) {
    const bmi = r.u16('BMI') / 10;
    out.bmiAndHeight = { bmi, height: heightFromRaw(r.u16('height'), units) };
  }
  // An unsuccessful weight "should" come without BMI/Height (WSS v1.0 §3.2); receivers tolerate it, as the
  // 0x2A9C public vector does for its own unsuccessful frame. Only the encoder enforces the rule.
  r.end();
  return out;
}

/** Encodes 0x2A9D; values are rounded to the nearest wire step. */
export function encodeWeightMeasurement(m: WeightMeasurement): Uint8Array {
  if (m.weight === null && m.bmiAndHeight) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      'an unsuccessful weight may only carry Time Stamp and User ID (WSS v1.0 §3.2)',
    );
  }
  let flags = m.units === 'imperial' ? FLAG_IMPERIAL : 0;
  if (m.timestamp) flags |= FLAG_TIME_STAMP;
  if (m.userId !== undefined) flags |= FLAG_USER_ID;
  if (m.bmiAndHeight) flags |= FLAG_BMI_HEIGHT;
  // 0xFFFF is reserved for "unsuccessful", so a real weight tops out one step below it.
  const rawWeight = m.weight === null ? WEIGHT_UNSUCCESSFUL : massToRaw(m.weight, m.units, 'weight', 0xfffe);
  const w = new ByteWriter().u8(flags).u16(rawWeight);
  if (m.timestamp) writeDateTime(w, m.timestamp);
  if (m.userId !== undefined) {
    requireRange(m.userId, 0, 0xff, 'user ID');
    w.u8(m.userId);
  }
  if (m.bmiAndHeight) {
    w.u16(toRaw(m.bmiAndHeight.bmi, 10, 0xffff, 'BMI'));
    w.u16(heightToRaw(m.bmiAndHeight.height, m.units, 'height'));
  }
  return w.bytes();
}

export interface WeightScaleFeature {
  timeStampSupported: boolean;
  multipleUsersSupported: boolean;
  bmiSupported: boolean;
  /** Bits 3-6: index into MASS_RESOLUTIONS (0 = not specified); 8-15 are reserved. */
  weightResolutionCode: number;
  /** Bits 7-9: index into HEIGHT_RESOLUTIONS (0 = not specified); 4-7 are reserved. */
  heightResolutionCode: number;
}

/** Decodes Weight Scale Feature 0x2A9E (WSS v1.0 §3.1), a fixed uint32. Bits 10-31 are RFU and ignored. */
export function decodeWeightScaleFeature(frame: Uint8Array): WeightScaleFeature {
  requireLength(frame, 4, 'Weight Scale Feature');
  const v = new ByteReader(frame).u32('features');
  return {
    timeStampSupported: (v & 0x01) !== 0,
    multipleUsersSupported: (v & 0x02) !== 0,
    bmiSupported: (v & 0x04) !== 0,
    weightResolutionCode: (v >>> 3) & 0x0f,
    heightResolutionCode: (v >>> 7) & 0x07,
  };
}

/** The defined bits only; no validation, so `view` can use it on any decoded value. */
function featureBits(f: WeightScaleFeature): number {
  return (
    (f.timeStampSupported ? 0x01 : 0) |
    (f.multipleUsersSupported ? 0x02 : 0) |
    (f.bmiSupported ? 0x04 : 0) |
    ((f.weightResolutionCode & 0x0f) << 3) |
    ((f.heightResolutionCode & 0x07) << 7)
  );
}

export function encodeWeightScaleFeature(f: WeightScaleFeature): Uint8Array {
  requireRange(f.weightResolutionCode, 0, MASS_RESOLUTIONS.length - 1, 'weight resolution code');
  requireRange(f.heightResolutionCode, 0, HEIGHT_RESOLUTIONS.length - 1, 'height resolution code');
  return new ByteWriter().u32(featureBits(f)).bytes();
}

export const WEIGHT_SCALE_CODECS = [
  codec<WeightMeasurement>({
    uuid: '2a9d',
    name: 'Weight Measurement',
    transport: 'gatt',
    decode: decodeWeightMeasurement,
    encode: encodeWeightMeasurement,
    view: (m) => ({
      valid: true,
      ...(m.weight === null
        ? { measurement_unsuccessful: true }
        : { [massKey('weight', m.units)]: m.weight }),
      ...(m.timestamp ? { timestamp: { ...m.timestamp } } : {}),
      ...userIdView(m.userId),
      ...(m.bmiAndHeight ? { bmi: m.bmiAndHeight.bmi, [heightKey(m.units)]: m.bmiAndHeight.height } : {}),
    }),
  }),
  codec<WeightScaleFeature>({
    uuid: '2a9e',
    name: 'Weight Scale Feature',
    transport: 'gatt',
    decode: decodeWeightScaleFeature,
    encode: encodeWeightScaleFeature,
    view: (f) => ({
      valid: true,
      raw: featureBits(f),
      timestamp_supported: f.timeStampSupported,
      multiple_users_supported: f.multipleUsersSupported,
      bmi_supported: f.bmiSupported,
      weight_resolution_code: f.weightResolutionCode,
      weight_resolution: resolutionName(MASS_RESOLUTIONS, f.weightResolutionCode),
      height_resolution_code: f.heightResolutionCode,
      height_resolution: resolutionName(HEIGHT_RESOLUTIONS, f.heightResolutionCode),
    }),
  }),
];
