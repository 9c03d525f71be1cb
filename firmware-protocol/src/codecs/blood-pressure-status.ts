import { requireRange } from '../bytes.js';

/**
 * Measurement Status of 0x2A35/0x2A36 (BLS v1.1.1 §3.1, GSS "Blood Pressure Measurement", Measurement Status
 * field): bit 0 body movement, 1 cuff fit too loose, 2 irregular pulse, 3-4 pulse-rate range, 5 improper
 * measurement position, 6-15 RFU.
 */
export const PULSE_RATE_RANGES = [
  'within_range',
  'above_upper_limit',
  'below_lower_limit',
  'reserved',
] as const;
export type PulseRateRange = (typeof PULSE_RATE_RANGES)[number];

export interface BloodPressureStatus {
  bodyMovementDetected: boolean;
  cuffTooLoose: boolean;
  irregularPulseDetected: boolean;
  pulseRateRange: PulseRateRange;
  improperMeasurementPosition: boolean;
  /** Bits 6-15 exactly as received (RFU, no meaning); kept so `raw` and a re-encode match the wire. 0 when new. */
  rfuBits: number;
}

const STATUS_RFU_MASK = 0xffc0;

export function statusFromRaw(raw: number): BloodPressureStatus {
  return {
    bodyMovementDetected: (raw & 0x01) !== 0,
    cuffTooLoose: (raw & 0x02) !== 0,
    irregularPulseDetected: (raw & 0x04) !== 0,
    pulseRateRange: PULSE_RATE_RANGES[(raw >> 3) & 0x03]!,
    improperMeasurementPosition: (raw & 0x20) !== 0,
    rfuBits: raw & STATUS_RFU_MASK,
  };
}

export function statusToRaw(s: BloodPressureStatus): number {
  const range = PULSE_RATE_RANGES.indexOf(s.pulseRateRange);
  requireRange(range, 0, 3, 'pulse rate range');
  requireRange(s.rfuBits, 0, 0xffff, 'measurement status RFU bits');
  requireRange(s.rfuBits & ~STATUS_RFU_MASK, 0, 0, 'measurement status RFU bits outside bits 6-15');
  return (
    (s.bodyMovementDetected ? 0x01 : 0) |
    (s.cuffTooLoose ? 0x02 : 0) |
    (s.irregularPulseDetected ? 0x04 : 0) |
    (range << 3) |
    (s.improperMeasurementPosition ? 0x20 : 0) |
    s.rfuBits
  );
}

export function statusView(s: BloodPressureStatus): Record<string, unknown> {
  return {
    raw: statusToRaw(s),
    body_movement_detected: s.bodyMovementDetected,
    cuff_too_loose: s.cuffTooLoose,
    irregular_pulse_detected: s.irregularPulseDetected,
    pulse_rate_range: s.pulseRateRange,
    improper_measurement_position: s.improperMeasurementPosition,
  };
}

/**
 * Blood Pressure Feature 0x2A49 bits (BLS v1.1.1 §3.3, GSS "Blood Pressure Feature"), index = bit number.
 * Bits 0-5 are BLS 1.0; 6 E2E-CRC, 7 User Data Service, 8 User Facing Time were added by BLS 1.1. 9-15 RFU.
 * The names are the public-vector keys.
 */
export const BLOOD_PRESSURE_FEATURES = [
  'body_movement_detection',
  'cuff_fit_detection',
  'irregular_pulse_detection',
  'pulse_rate_range_detection',
  'measurement_position_detection',
  'multiple_bond',
  'e2e_crc',
  'user_data_service',
  'user_facing_time',
] as const;
export type BloodPressureFeatureName = (typeof BLOOD_PRESSURE_FEATURES)[number];

export interface BloodPressureFeature {
  /** Supported features in bit order. */
  supported: BloodPressureFeatureName[];
  /** Bits 9-15 as received (RFU); 0 when new. */
  rfuBits: number;
}

const FEATURE_RFU_MASK = 0xfe00;

export function featureFromRaw(raw: number): BloodPressureFeature {
  return {
    supported: BLOOD_PRESSURE_FEATURES.filter((_, bit) => (raw >> bit) & 1),
    rfuBits: raw & FEATURE_RFU_MASK,
  };
}

export function featureToRaw(f: BloodPressureFeature): number {
  requireRange(f.rfuBits, 0, 0xffff, 'feature RFU bits');
  requireRange(f.rfuBits & ~FEATURE_RFU_MASK, 0, 0, 'feature RFU bits outside bits 9-15');
  let raw = f.rfuBits;
  for (const name of f.supported) {
    const bit = BLOOD_PRESSURE_FEATURES.indexOf(name);
    requireRange(bit, 0, BLOOD_PRESSURE_FEATURES.length - 1, `blood pressure feature "${name}"`);
    raw |= 1 << bit;
  }
  return raw;
}

export function featureView(f: BloodPressureFeature): Record<string, unknown> {
  const out: Record<string, unknown> = { valid: true, raw: featureToRaw(f) };
  for (const name of BLOOD_PRESSURE_FEATURES) out[name] = f.supported.includes(name);
  return out;
}
