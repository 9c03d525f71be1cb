import { ByteReader, ByteWriter } from '../bytes.js';
import { type DateTime, readDateTime, writeDateTime } from '../date-time.js';
import { ProtocolError } from '../errors.js';
import type { MedicalNumber } from '../ieee11073.js';
import {
  bitsFromRaw,
  bitsToRaw,
  bitsView,
  DEVICE_AND_SENSOR_STATUS,
  MEASUREMENT_STATUS,
  type PlxDeviceAndSensorStatus,
  type PlxMeasurementStatus,
} from './pulse-oximeter-bits.js';
import {
  decodePlxFeatures,
  encodePlxFeatures,
  type PlxFeatures,
  plxFeaturesView,
} from './pulse-oximeter-features.js';
import { codec } from './types.js';

export type {
  PlxBits,
  PlxDeviceAndSensorStatus,
  PlxDeviceAndSensorStatusFlag,
  PlxFeatureFlag,
  PlxMeasurementStatus,
  PlxMeasurementStatusFlag,
} from './pulse-oximeter-bits.js';
export { decodePlxFeatures, encodePlxFeatures, type PlxFeatures } from './pulse-oximeter-features.js';

/** One SpO2PR pair: two SFLOATs, SpO2 then pulse rate (PLXS v1.0.1 Tables 3.2 and 3.6). */
export interface SpO2PR {
  spo2Percent: MedicalNumber;
  pulseRateBpm: MedicalNumber;
}

/** Fields after the mandatory pair that both measurements share, with the same types. */
interface PlxStatusFields {
  measurementStatus?: PlxMeasurementStatus;
  deviceAndSensorStatus?: PlxDeviceAndSensorStatus;
  pulseAmplitudeIndexPercent?: MedicalNumber;
}

/** PLX Spot-Check Measurement 0x2A5E (PLXS v1.0.1 §3.1, Table 3.2). */
export interface PlxSpotCheckMeasurement extends SpO2PR, PlxStatusFields {
  timestamp?: DateTime;
  /** Flags bit 4 (Table 3.3): the device clock is not set, so the timestamp is not trustworthy. */
  deviceClockNotSet: boolean;
}

/** PLX Continuous Measurement 0x2A5F (PLXS v1.0.1 §3.2, Table 3.6); the top-level pair is SpO2PR-Normal. */
export interface PlxContinuousMeasurement extends SpO2PR, PlxStatusFields {
  spo2prFast?: SpO2PR;
  spo2prSlow?: SpO2PR;
}

// Spot-check flags, PLXS v1.0.1 Table 3.3. Bits 5-7 RFU.
const SPOT_TIMESTAMP = 0x01;
const SPOT_STATUS = 0x02;
const SPOT_DEVICE_STATUS = 0x04;
const SPOT_PAI = 0x08;
const SPOT_CLOCK_NOT_SET = 0x10;
// Continuous flags, PLXS v1.0.1 Table 3.7. Bits 5-7 RFU.
const CONT_FAST = 0x01;
const CONT_SLOW = 0x02;
const CONT_STATUS = 0x04;
const CONT_DEVICE_STATUS = 0x08;
const CONT_PAI = 0x10;

/** Spot-check: flags 1 + pair 4 + Timestamp 7 + status 2 + device status 3 + PAI 2. */
const SPOT_MAX_LENGTH = 19;
/** Continuous: flags 1 + normal, fast and slow pairs 12 + status 2 + device status 3 + PAI 2. */
const CONT_MAX_LENGTH = 20;

function guardMax(frame: Uint8Array, max: number, what: string): ByteReader {
  if (frame.length > max) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `${what} is at most ${max} bytes, got ${frame.length}`,
      max,
    );
  }
  return new ByteReader(frame);
}

function expectEnd(r: ByteReader): void {
  r.end();
}

function readPair(r: ByteReader, which: string): SpO2PR {
  return { spo2Percent: r.sfloat(`SpO2 (${which})`), pulseRateBpm: r.sfloat(`pulse rate (${which})`) };
}

/** Reads the status / device-status / PAI tail; the three flag masks differ between the two characteristics. */
function readStatusFields(
  r: ByteReader,
  flags: number,
  masks: [number, number, number],
  out: PlxStatusFields,
) {
  if (flags & masks[0]) out.measurementStatus = bitsFromRaw(MEASUREMENT_STATUS, r.u16('measurement status'));
  if (flags & masks[1]) {
    out.deviceAndSensorStatus = bitsFromRaw(DEVICE_AND_SENSOR_STATUS, r.u24('device and sensor status'));
  }
  if (flags & masks[2]) out.pulseAmplitudeIndexPercent = r.sfloat('pulse amplitude index');
}

function statusFlags(m: PlxStatusFields, masks: [number, number, number]): number {
  return (
    (m.measurementStatus === undefined ? 0 : masks[0]) |
    (m.deviceAndSensorStatus === undefined ? 0 : masks[1]) |
    (m.pulseAmplitudeIndexPercent === undefined ? 0 : masks[2])
  );
}

function writeStatusFields(w: ByteWriter, m: PlxStatusFields): void {
  if (m.measurementStatus !== undefined) w.u16(bitsToRaw(MEASUREMENT_STATUS, m.measurementStatus));
  if (m.deviceAndSensorStatus !== undefined)
    w.u24(bitsToRaw(DEVICE_AND_SENSOR_STATUS, m.deviceAndSensorStatus));
  if (m.pulseAmplitudeIndexPercent !== undefined) w.sfloat(m.pulseAmplitudeIndexPercent);
}

const SPOT_STATUS_MASKS: [number, number, number] = [SPOT_STATUS, SPOT_DEVICE_STATUS, SPOT_PAI];
const CONT_STATUS_MASKS: [number, number, number] = [CONT_STATUS, CONT_DEVICE_STATUS, CONT_PAI];

/** Decodes 0x2A5E (5-19 bytes). Fields follow the flags in Table 3.2 order: pair, Timestamp, status, device status, PAI. */
export function decodePlxSpotCheck(frame: Uint8Array): PlxSpotCheckMeasurement {
  const r = guardMax(frame, SPOT_MAX_LENGTH, 'PLX spot-check measurement');
  const flags = r.u8('flags');
  const out: PlxSpotCheckMeasurement = {
    ...readPair(r, 'spot-check'),
    deviceClockNotSet: (flags & SPOT_CLOCK_NOT_SET) !== 0,
  };
  if (flags & SPOT_TIMESTAMP) out.timestamp = readDateTime(r); // Table 3.3 bit 0
  readStatusFields(r, flags, SPOT_STATUS_MASKS, out); // Table 3.3 bits 1-3
  expectEnd(r);
  return out;
}

export function encodePlxSpotCheck(m: PlxSpotCheckMeasurement): Uint8Array {
  const flags =
    (m.timestamp === undefined ? 0 : SPOT_TIMESTAMP) |
    statusFlags(m, SPOT_STATUS_MASKS) |
    (m.deviceClockNotSet ? SPOT_CLOCK_NOT_SET : 0);
  const w = new ByteWriter().u8(flags).sfloat(m.spo2Percent).sfloat(m.pulseRateBpm);
  if (m.timestamp !== undefined) writeDateTime(w, m.timestamp);
  writeStatusFields(w, m);
  return w.bytes();
}

/** Decodes 0x2A5F (5-20 bytes). Table 3.6 order: normal pair, fast pair, slow pair, status, device status, PAI. */
export function decodePlxContinuous(frame: Uint8Array): PlxContinuousMeasurement {
  const r = guardMax(frame, CONT_MAX_LENGTH, 'PLX continuous measurement');
  const flags = r.u8('flags');
  const out: PlxContinuousMeasurement = readPair(r, 'normal');
  if (flags & CONT_FAST) out.spo2prFast = readPair(r, 'fast'); // Table 3.7 bit 0
  if (flags & CONT_SLOW) out.spo2prSlow = readPair(r, 'slow'); // Table 3.7 bit 1
  readStatusFields(r, flags, CONT_STATUS_MASKS, out); // Table 3.7 bits 2-4
  expectEnd(r);
  return out;
}

export function encodePlxContinuous(m: PlxContinuousMeasurement): Uint8Array {
  const flags =
    (m.spo2prFast === undefined ? 0 : CONT_FAST) |
    (m.spo2prSlow === undefined ? 0 : CONT_SLOW) |
    statusFlags(m, CONT_STATUS_MASKS);
  const w = new ByteWriter().u8(flags).sfloat(m.spo2Percent).sfloat(m.pulseRateBpm);
  if (m.spo2prFast !== undefined) w.sfloat(m.spo2prFast.spo2Percent).sfloat(m.spo2prFast.pulseRateBpm);
  if (m.spo2prSlow !== undefined) w.sfloat(m.spo2prSlow.spo2Percent).sfloat(m.spo2prSlow.pulseRateBpm);
  writeStatusFields(w, m);
  return w.bytes();
}

function pairView(p: SpO2PR | undefined, suffix: string): Record<string, unknown> {
  if (p === undefined) return {};
  return { [`spo2${suffix}_percent`]: p.spo2Percent, [`pulse_rate${suffix}_bpm`]: p.pulseRateBpm };
}

function statusView(m: PlxStatusFields): Record<string, unknown> {
  return {
    ...bitsView('measurement_status', MEASUREMENT_STATUS, m.measurementStatus),
    ...bitsView('device_and_sensor_status', DEVICE_AND_SENSOR_STATUS, m.deviceAndSensorStatus),
    ...(m.pulseAmplitudeIndexPercent === undefined
      ? {}
      : { pulse_amplitude_index_percent: m.pulseAmplitudeIndexPercent }),
  };
}

export const PULSE_OXIMETER_CODECS = [
  codec<PlxSpotCheckMeasurement>({
    uuid: '2a5e',
    name: 'PLX Spot-Check Measurement',
    transport: 'gatt',
    decode: decodePlxSpotCheck,
    encode: encodePlxSpotCheck,
    view: (m) => ({
      valid: true,
      ...pairView(m, ''),
      ...(m.timestamp === undefined ? {} : { timestamp: { ...m.timestamp } }),
      ...statusView(m),
      device_clock_not_set: m.deviceClockNotSet,
    }),
  }),
  codec<PlxContinuousMeasurement>({
    uuid: '2a5f',
    name: 'PLX Continuous Measurement',
    transport: 'gatt',
    decode: decodePlxContinuous,
    encode: encodePlxContinuous,
    view: (m) => ({
      valid: true,
      ...pairView(m, ''),
      ...pairView(m.spo2prFast, '_fast'),
      ...pairView(m.spo2prSlow, '_slow'),
      ...statusView(m),
    }),
  }),
  codec<PlxFeatures>({
    uuid: '2a60',
    name: 'PLX Features',
    transport: 'gatt',
    decode: decodePlxFeatures,
    encode: encodePlxFeatures,
    view: plxFeaturesView,
  }),
];
