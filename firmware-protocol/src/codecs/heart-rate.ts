import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { ProtocolError } from '../errors.js';
import { codec } from './types.js';

/** Sensor Contact Status, flags bits 1-2 (HRS v1.0 §3.1.1.2): 0 and 1 both mean "not supported". */
export type SensorContact = 'not_supported' | 'not_detected' | 'detected';

export interface HeartRateMeasurement {
  heartRateBpm: number;
  /** Which width the frame used; kept so a re-encode is byte-exact. */
  format: 'uint8' | 'uint16';
  sensorContact: SensorContact;
  /** kJ since the last reset; saturates at 0xFFFF (HRS v1.0 §3.1.1.3). */
  energyExpendedKj?: number;
  /** Raw RR intervals in units of 1/1024 s, oldest first (HRS v1.0 §3.1.1.4). */
  rrIntervals1024: number[];
}

const FLAG_UINT16 = 0x01;
const FLAG_CONTACT_SUPPORTED = 0x04;
const FLAG_CONTACT_DETECTED = 0x02;
const FLAG_ENERGY = 0x08;
const FLAG_RR = 0x10;

/** Decodes Heart Rate Measurement 0x2A37. RFU bits 5-7 are ignored as the spec requires of receivers. */
export function decodeHeartRateMeasurement(frame: Uint8Array): HeartRateMeasurement {
  const r = new ByteReader(frame);
  const flags = r.u8('flags');
  const format = flags & FLAG_UINT16 ? 'uint16' : 'uint8';
  const heartRateBpm = format === 'uint16' ? r.u16('heart rate (uint16)') : r.u8('heart rate (uint8)');
  const out: HeartRateMeasurement = {
    heartRateBpm,
    format,
    sensorContact: contactFromFlags(flags),
    rrIntervals1024: [],
  };
  if (flags & FLAG_ENERGY) out.energyExpendedKj = r.u16('energy expended');
  if (flags & FLAG_RR) {
    // The RR field, when flagged present, holds at least one interval and fills the rest of the PDU.
    // A flagged-but-empty field is rejected as truncated (Nordic's parser does the same).
    if (r.remaining === 0) r.u16('RR interval');
    while (r.remaining > 0) out.rrIntervals1024.push(r.u16('RR interval'));
  } else r.end();
  return out;
}

function contactFromFlags(flags: number): SensorContact {
  if (!(flags & FLAG_CONTACT_SUPPORTED)) return 'not_supported';
  return flags & FLAG_CONTACT_DETECTED ? 'detected' : 'not_detected';
}

export interface EncodeHeartRateOptions {
  /** Forces the 16-bit field even for values that fit 8 bits (some chest straps always do this). */
  format?: 'uint8' | 'uint16';
}

/** Encodes 0x2A37; picks the 8-bit field when the value fits unless told otherwise. */
export function encodeHeartRateMeasurement(
  m: Omit<HeartRateMeasurement, 'format'> & Partial<Pick<HeartRateMeasurement, 'format'>>,
  opts: EncodeHeartRateOptions = {},
): Uint8Array {
  requireRange(m.heartRateBpm, 0, 0xffff, 'heart rate');
  const format = opts.format ?? m.format ?? (m.heartRateBpm > 0xff ? 'uint16' : 'uint8');
  if (format === 'uint8') requireRange(m.heartRateBpm, 0, 0xff, 'heart rate (uint8)');
  let flags = format === 'uint16' ? FLAG_UINT16 : 0;
  if (m.sensorContact !== 'not_supported') flags |= FLAG_CONTACT_SUPPORTED;
  if (m.sensorContact === 'detected') flags |= FLAG_CONTACT_DETECTED;
  if (m.energyExpendedKj !== undefined) flags |= FLAG_ENERGY;
  if (m.rrIntervals1024.length > 0) flags |= FLAG_RR;
  const w = new ByteWriter().u8(flags);
  if (format === 'uint16') w.u16(m.heartRateBpm);
  else w.u8(m.heartRateBpm);
  if (m.energyExpendedKj !== undefined) {
    requireRange(m.energyExpendedKj, 0, 0xffff, 'energy expended');
    w.u16(m.energyExpendedKj);
  }
  for (const rr of m.rrIntervals1024) {
    requireRange(rr, 0, 0xffff, 'RR interval');
    w.u16(rr);
  }
  return w.bytes();
}

export function rrIntervalToMs(raw1024: number): number {
  return (raw1024 * 1000) / 1024;
}

/** Body Sensor Location 0x2A38 (HRS v1.0 §3.2); values 7-255 are reserved. */
export const BODY_SENSOR_LOCATIONS = [
  'other',
  'chest',
  'wrist',
  'finger',
  'hand',
  'ear_lobe',
  'foot',
] as const;
export type BodySensorLocation = (typeof BODY_SENSOR_LOCATIONS)[number];

export function decodeBodySensorLocation(frame: Uint8Array): BodySensorLocation {
  if (frame.length !== 1) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `body sensor location is 1 byte, got ${frame.length}`,
      0,
    );
  }
  const loc = BODY_SENSOR_LOCATIONS[frame[0]!];
  if (!loc)
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `body sensor location ${frame[0]} is reserved`, 0);
  return loc;
}

export function encodeBodySensorLocation(loc: BodySensorLocation): Uint8Array {
  return Uint8Array.of(BODY_SENSOR_LOCATIONS.indexOf(loc));
}

export const HEART_RATE_CODECS = [
  codec<HeartRateMeasurement>({
    uuid: '2a37',
    name: 'Heart Rate Measurement',
    transport: 'gatt',
    decode: decodeHeartRateMeasurement,
    encode: (m) => encodeHeartRateMeasurement(m),
    view: (m) => ({
      valid: true,
      heart_rate_bpm: m.heartRateBpm,
      sensor_contact: m.sensorContact,
      ...(m.energyExpendedKj === undefined ? {} : { energy_expended_kJ: m.energyExpendedKj }),
      ...(m.rrIntervals1024.length === 0
        ? {}
        : {
            rr_intervals_1_1024s: m.rrIntervals1024,
            rr_intervals_ms: m.rrIntervals1024.map(rrIntervalToMs),
          }),
    }),
  }),
  codec<BodySensorLocation>({
    uuid: '2a38',
    name: 'Body Sensor Location',
    transport: 'gatt',
    decode: decodeBodySensorLocation,
    encode: encodeBodySensorLocation,
    view: (loc) => ({ valid: true, body_sensor_location: loc }),
  }),
];
