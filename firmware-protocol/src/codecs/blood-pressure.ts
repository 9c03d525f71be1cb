import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { type DateTime, readDateTime, writeDateTime } from '../date-time.js';
import { ProtocolError } from '../errors.js';
import type { MedicalNumber } from '../ieee11073.js';
import {
  type BloodPressureFeature,
  type BloodPressureStatus,
  featureFromRaw,
  featureToRaw,
  featureView,
  statusFromRaw,
  statusToRaw,
  statusView,
} from './blood-pressure-status.js';
import { codec } from './types.js';

export type { BloodPressureFeature, BloodPressureStatus } from './blood-pressure-status.js';

/** Flags bit 0 (BLS v1.1.1 §3.1, GSS "Blood Pressure Measurement" Flags): 0 = mmHg, 1 = kPa. */
export type PressureUnit = 'mmHg' | 'kPa';

export interface BloodPressureMeasurement {
  unit: PressureUnit;
  /** Compound value, in `unit`; SFLOAT special values stay strings. */
  systolic: MedicalNumber;
  diastolic: MedicalNumber;
  meanArterialPressure: MedicalNumber;
  timestamp?: DateTime;
  pulseRateBpm?: MedicalNumber;
  /** 0-254 = user index; 0xFF = unknown user (GSS "Blood Pressure Measurement", User ID field). */
  userId?: number;
  measurementStatus?: BloodPressureStatus;
}

/**
 * Intermediate Cuff Pressure 0x2A36 (BLS v1.1.1 §3.2): the 0x2A35 layout, but only the first SFLOAT (current
 * cuff pressure) carries data. The diastolic and MAP slots are unused: the spec says NaN, Nordic's test
 * devices send 0x0000, so the decoder drops them and the encoder writes NaN.
 */
export interface IntermediateCuffPressure {
  unit: PressureUnit;
  currentCuffPressure: MedicalNumber;
  timestamp?: DateTime;
  pulseRateBpm?: MedicalNumber;
  userId?: number;
  measurementStatus?: BloodPressureStatus;
}

const FLAG_KPA = 0x01;
const FLAG_TIMESTAMP = 0x02;
const FLAG_PULSE_RATE = 0x04;
const FLAG_USER_ID = 0x08;
const FLAG_STATUS = 0x10;
/** flags + 3 SFLOAT + Time Stamp 7 + Pulse Rate 2 + User ID 1 + Measurement Status 2 (BLS v1.1.1 §3.1). */
const MAX_LENGTH = 19;
export const UNKNOWN_USER_ID = 0xff;

function decodeLayout(frame: Uint8Array, what: string): BloodPressureMeasurement {
  if (frame.length > MAX_LENGTH) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `${what} is at most ${MAX_LENGTH} bytes, got ${frame.length}`,
      MAX_LENGTH,
    );
  }
  const r = new ByteReader(frame);
  const flags = r.u8('flags'); // bits 5-7 RFU: ignored (BLS v1.1.1 §3.1)
  const out: BloodPressureMeasurement = {
    unit: flags & FLAG_KPA ? 'kPa' : 'mmHg',
    systolic: r.sfloat('systolic'),
    diastolic: r.sfloat('diastolic'),
    meanArterialPressure: r.sfloat('mean arterial pressure'),
  };
  // GSS "Blood Pressure Measurement": bit 1 → Time Stamp, bit 2 → Pulse Rate, bit 3 → User ID,
  // bit 4 → Measurement Status, present in that order.
  if (flags & FLAG_TIMESTAMP) out.timestamp = readDateTime(r);
  if (flags & FLAG_PULSE_RATE) out.pulseRateBpm = r.sfloat('pulse rate');
  if (flags & FLAG_USER_ID) out.userId = r.u8('user ID');
  if (flags & FLAG_STATUS) out.measurementStatus = statusFromRaw(r.u16('measurement status'));
  r.end();
  return out;
}

function encodeLayout(m: BloodPressureMeasurement): Uint8Array {
  if (m.unit !== 'mmHg' && m.unit !== 'kPa') {
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `unit must be mmHg or kPa, got ${String(m.unit)}`);
  }
  let flags = m.unit === 'kPa' ? FLAG_KPA : 0;
  if (m.timestamp !== undefined) flags |= FLAG_TIMESTAMP;
  if (m.pulseRateBpm !== undefined) flags |= FLAG_PULSE_RATE;
  if (m.userId !== undefined) flags |= FLAG_USER_ID;
  if (m.measurementStatus !== undefined) flags |= FLAG_STATUS;
  const w = new ByteWriter().u8(flags).sfloat(m.systolic).sfloat(m.diastolic).sfloat(m.meanArterialPressure);
  if (m.timestamp !== undefined) writeDateTime(w, m.timestamp);
  if (m.pulseRateBpm !== undefined) w.sfloat(m.pulseRateBpm);
  if (m.userId !== undefined) {
    requireRange(m.userId, 0, 0xff, 'user ID');
    w.u8(m.userId);
  }
  if (m.measurementStatus !== undefined) w.u16(statusToRaw(m.measurementStatus));
  return w.bytes();
}

/** Decodes Blood Pressure Measurement 0x2A35 (7-19 bytes). */
export function decodeBloodPressureMeasurement(frame: Uint8Array): BloodPressureMeasurement {
  return decodeLayout(frame, 'blood pressure measurement');
}

export function encodeBloodPressureMeasurement(m: BloodPressureMeasurement): Uint8Array {
  return encodeLayout(m);
}

/** Decodes Intermediate Cuff Pressure 0x2A36; the unused diastolic/MAP slots are read for length, then dropped. */
export function decodeIntermediateCuffPressure(frame: Uint8Array): IntermediateCuffPressure {
  const m = decodeLayout(frame, 'intermediate cuff pressure');
  const { systolic, diastolic: _unusedDiastolic, meanArterialPressure: _unusedMap, ...rest } = m;
  return { ...rest, currentCuffPressure: systolic };
}

/** Encodes 0x2A36 with NaN (0x07FF) in the unused diastolic and MAP slots, as BLS v1.1.1 §3.2 asks. */
export function encodeIntermediateCuffPressure(m: IntermediateCuffPressure): Uint8Array {
  const { currentCuffPressure, ...rest } = m;
  return encodeLayout({
    ...rest,
    systolic: currentCuffPressure,
    diastolic: 'NaN',
    meanArterialPressure: 'NaN',
  });
}

/** Decodes Blood Pressure Feature 0x2A49: exactly one u16 (BLS v1.1.1 §3.3); bits 9-15 RFU are kept, not interpreted. */
export function decodeBloodPressureFeature(frame: Uint8Array): BloodPressureFeature {
  if (frame.length !== 2) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `blood pressure feature is 2 bytes, got ${frame.length}`,
      Math.min(frame.length, 2),
    );
  }
  return featureFromRaw(new ByteReader(frame).u16('blood pressure feature'));
}

export function encodeBloodPressureFeature(f: BloodPressureFeature): Uint8Array {
  return new ByteWriter().u16(featureToRaw(f)).bytes();
}

/** The fields after the pressures, shared by the 0x2A35 and 0x2A36 views. */
function optionalFieldsView(
  m: Omit<IntermediateCuffPressure, 'currentCuffPressure'>,
): Record<string, unknown> {
  return {
    ...(m.timestamp === undefined ? {} : { timestamp: { ...m.timestamp } }),
    ...(m.pulseRateBpm === undefined ? {} : { pulse_rate_bpm: m.pulseRateBpm }),
    ...(m.userId === undefined ? {} : { user_id: m.userId }),
    ...(m.userId === UNKNOWN_USER_ID ? { user_id_unknown: true } : {}),
    ...(m.measurementStatus === undefined ? {} : { measurement_status: statusView(m.measurementStatus) }),
  };
}

export const BLOOD_PRESSURE_CODECS = [
  codec<BloodPressureMeasurement>({
    uuid: '2a35',
    name: 'Blood Pressure Measurement',
    transport: 'gatt',
    decode: decodeBloodPressureMeasurement,
    encode: encodeBloodPressureMeasurement,
    view: (m) => ({
      valid: true,
      unit: m.unit,
      [`systolic_${m.unit}`]: m.systolic,
      [`diastolic_${m.unit}`]: m.diastolic,
      [`mean_arterial_pressure_${m.unit}`]: m.meanArterialPressure,
      ...optionalFieldsView(m),
    }),
  }),
  codec<IntermediateCuffPressure>({
    uuid: '2a36',
    name: 'Intermediate Cuff Pressure',
    transport: 'gatt',
    decode: decodeIntermediateCuffPressure,
    encode: encodeIntermediateCuffPressure,
    view: (m) => ({
      valid: true,
      unit: m.unit,
      [`current_cuff_pressure_${m.unit}`]: m.currentCuffPressure,
      ...optionalFieldsView(m),
    }),
  }),
  codec<BloodPressureFeature>({
    uuid: '2a49',
    name: 'Blood Pressure Feature',
    transport: 'gatt',
    decode: decodeBloodPressureFeature,
    encode: encodeBloodPressureFeature,
    view: featureView,
  }),
];
