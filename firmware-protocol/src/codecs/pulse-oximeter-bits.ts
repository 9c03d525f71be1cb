import { requireRange } from '../bytes.js';
import { ProtocolError } from '../errors.js';

/**
 * A PLX bit field: the named bits that are set, in bit order, plus the RFU bits exactly as received. RFU bits
 * carry no meaning (receivers ignore them) but are kept so `*_raw` in the view and a re-encode match the wire.
 */
export interface PlxBits<N extends string> {
  flags: N[];
  /** RFU bits as received, in their wire positions; 0 for a newly built value. */
  rfuBits: number;
}

/** One bit-field layout: names for consecutive bits starting at `firstBit`, inside a field `width` bits wide. */
export interface BitLayout<N extends string> {
  what: string;
  names: readonly N[];
  firstBit: number;
  width: 16 | 24;
}

/**
 * Measurement Status, PLXS v1.0.1 Table 3.4 (u16): bits 0-4 RFU, named bits 5-15.
 * Used by both measurements (spot-check flags bit 1, continuous flags bit 2) and by PLX Features.
 */
export const MEASUREMENT_STATUS = {
  what: 'measurement status',
  firstBit: 5,
  width: 16,
  names: [
    'measurement_ongoing',
    'early_estimated_data',
    'validated_data',
    'fully_qualified_data',
    'data_from_measurement_storage',
    'data_for_demonstration',
    'data_for_testing',
    'calibration_ongoing',
    'measurement_unavailable',
    'questionable_measurement_detected',
    'invalid_measurement_detected',
  ],
} as const satisfies BitLayout<string>;
export type PlxMeasurementStatusFlag = (typeof MEASUREMENT_STATUS.names)[number];

/** Device and Sensor Status, PLXS v1.0.1 Table 3.5 (u24): named bits 0-15, bits 16-23 RFU. */
export const DEVICE_AND_SENSOR_STATUS = {
  what: 'device and sensor status',
  firstBit: 0,
  width: 24,
  names: [
    'extended_display_update_ongoing',
    'equipment_malfunction_detected',
    'signal_processing_irregularity_detected',
    'inadequate_signal_detected',
    'poor_signal_detected',
    'low_perfusion_detected',
    'erratic_signal_detected',
    'non_pulsatile_signal_detected',
    'questionable_pulse_detected',
    'signal_analysis_ongoing',
    'sensor_interference_detected',
    'sensor_unconnected_to_user',
    'unknown_sensor_connected',
    'sensor_displaced',
    'sensor_malfunctioning',
    'sensor_disconnected',
  ],
} as const satisfies BitLayout<string>;
export type PlxDeviceAndSensorStatusFlag = (typeof DEVICE_AND_SENSOR_STATUS.names)[number];

/** PLX Features Supported Features, PLXS v1.0.1 Table 3.8 (u16): named bits 0-7, bits 8-15 RFU. */
export const SUPPORTED_FEATURES = {
  what: 'supported features',
  firstBit: 0,
  width: 16,
  names: [
    'measurement_status',
    'device_and_sensor_status',
    'spot_check_measurement_storage',
    'spot_check_timestamp',
    'spo2pr_fast',
    'spo2pr_slow',
    'pulse_amplitude_index',
    'multiple_bonds',
  ],
} as const satisfies BitLayout<string>;
export type PlxFeatureFlag = (typeof SUPPORTED_FEATURES.names)[number];

export type PlxMeasurementStatus = PlxBits<PlxMeasurementStatusFlag>;
export type PlxDeviceAndSensorStatus = PlxBits<PlxDeviceAndSensorStatusFlag>;

function namedMask(layout: BitLayout<string>): number {
  return ((1 << layout.names.length) - 1) << layout.firstBit;
}

export function bitsFromRaw<N extends string>(layout: BitLayout<N>, raw: number): PlxBits<N> {
  return {
    flags: layout.names.filter((_, i) => (raw >> (i + layout.firstBit)) & 1),
    rfuBits: raw & ~namedMask(layout),
  };
}

export function bitsToRaw<N extends string>(layout: BitLayout<N>, bits: PlxBits<N>): number {
  const max = 2 ** layout.width - 1;
  requireRange(bits.rfuBits, 0, max, `${layout.what} RFU bits`);
  if (bits.rfuBits & namedMask(layout)) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      `${layout.what} RFU bits 0x${bits.rfuBits.toString(16)} overlap named bits`,
    );
  }
  let raw = bits.rfuBits;
  for (const name of bits.flags) {
    const i = layout.names.indexOf(name);
    if (i < 0) throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `unknown ${layout.what} flag "${name}"`);
    raw |= 1 << (i + layout.firstBit);
  }
  return raw >>> 0;
}

/** `<key>_raw` always; `<key>` (the set names) only when at least one named bit is set, as in the 0x2A5F vectors. */
export function bitsView<N extends string>(
  key: string,
  layout: BitLayout<N>,
  bits: PlxBits<N> | undefined,
): Record<string, unknown> {
  if (bits === undefined) return {};
  const ordered = layout.names.filter((n) => bits.flags.includes(n));
  return {
    [`${key}_raw`]: bitsToRaw(layout, bits),
    ...(ordered.length === 0 ? {} : { [key]: ordered }),
  };
}
