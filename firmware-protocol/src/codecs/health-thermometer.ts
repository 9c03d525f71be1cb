import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { type DateTime, readDateTime, writeDateTime } from '../date-time.js';
import { ProtocolError } from '../errors.js';
import type { MedicalNumber } from '../ieee11073.js';
import { codec } from './types.js';

/**
 * Temperature Type (HTS v1.0 §3.2, GSS "Temperature Type"): index + 1 is the wire value. 0x00 and 0x0A-0xFF
 * are reserved for future use; like Body Sensor Location in heart-rate.ts they are rejected as out of range,
 * because a reserved code names no body site that could be reported.
 */
export const TEMPERATURE_TYPES = [
  'armpit',
  'body',
  'ear',
  'finger',
  'gastrointestinal_tract',
  'mouth',
  'rectum',
  'toe',
  'tympanum',
] as const;
export type TemperatureType = (typeof TEMPERATURE_TYPES)[number];

export type TemperatureUnit = 'celsius' | 'fahrenheit';

/** Temperature Measurement 0x2A1C and Intermediate Temperature 0x2A1E share this layout (HTS v1.0 §3.1, §3.3). */
export interface TemperatureMeasurement {
  /** Flags bit 0: 0 = °C, 1 = °F. */
  unit: TemperatureUnit;
  /** IEEE 11073 FLOAT in `unit`; special values stay strings. */
  temperature: MedicalNumber;
  timestamp?: DateTime;
  temperatureType?: TemperatureType;
}

const FLAG_FAHRENHEIT = 0x01;
const FLAG_TIMESTAMP = 0x02;
const FLAG_TYPE = 0x04;
/** flags 1 + FLOAT 4 + Time Stamp 7 + Temperature Type 1 (HTS v1.0 §3.1). */
const MAX_LENGTH = 13;

function readTemperatureType(r: ByteReader): TemperatureType {
  const at = r.offset;
  const code = r.u8('temperature type');
  const type = TEMPERATURE_TYPES[code - 1];
  if (type === undefined) {
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `temperature type ${code} is reserved`, at);
  }
  return type;
}

export function temperatureTypeCode(type: TemperatureType): number {
  const i = TEMPERATURE_TYPES.indexOf(type);
  requireRange(i, 0, TEMPERATURE_TYPES.length - 1, `temperature type "${type}"`);
  return i + 1;
}

/** Decodes 0x2A1C / 0x2A1E (5-13 bytes). RFU flag bits 3-7 are ignored. */
export function decodeTemperatureMeasurement(frame: Uint8Array): TemperatureMeasurement {
  if (frame.length > MAX_LENGTH) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `temperature measurement is at most ${MAX_LENGTH} bytes, got ${frame.length}`,
      MAX_LENGTH,
    );
  }
  const r = new ByteReader(frame);
  const flags = r.u8('flags');
  const out: TemperatureMeasurement = {
    unit: flags & FLAG_FAHRENHEIT ? 'fahrenheit' : 'celsius',
    temperature: r.float('temperature'),
  };
  // HTS v1.0 §3.1 / GSS "Temperature Measurement": bit 1 → Time Stamp, bit 2 → Temperature Type, in that order.
  if (flags & FLAG_TIMESTAMP) out.timestamp = readDateTime(r);
  if (flags & FLAG_TYPE) out.temperatureType = readTemperatureType(r);
  r.end();
  return out;
}

export function encodeTemperatureMeasurement(m: TemperatureMeasurement): Uint8Array {
  if (m.unit !== 'celsius' && m.unit !== 'fahrenheit') {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      `unit must be celsius or fahrenheit, got ${String(m.unit)}`,
    );
  }
  let flags = m.unit === 'fahrenheit' ? FLAG_FAHRENHEIT : 0;
  if (m.timestamp !== undefined) flags |= FLAG_TIMESTAMP;
  if (m.temperatureType !== undefined) flags |= FLAG_TYPE;
  const w = new ByteWriter().u8(flags).float(m.temperature);
  if (m.timestamp !== undefined) writeDateTime(w, m.timestamp);
  if (m.temperatureType !== undefined) w.u8(temperatureTypeCode(m.temperatureType));
  return w.bytes();
}

/** Intermediate Temperature 0x2A1E (HTS v1.0 §3.3) has the 0x2A1C layout; named aliases for callers. */
export const decodeIntermediateTemperature = decodeTemperatureMeasurement;
export const encodeIntermediateTemperature = encodeTemperatureMeasurement;

function fixedLength(frame: Uint8Array, n: number, what: string): void {
  if (frame.length !== n) {
    throw new ProtocolError(
      'PROTO_ERR_WRONG_LENGTH',
      `${what} is ${n} byte(s), got ${frame.length}`,
      Math.min(frame.length, n),
    );
  }
}

/** Temperature Type 0x2A1D: one u8 (HTS v1.0 §3.2), used when the site is fixed for the device. */
export function decodeTemperatureType(frame: Uint8Array): TemperatureType {
  fixedLength(frame, 1, 'temperature type');
  return readTemperatureType(new ByteReader(frame));
}

export function encodeTemperatureType(type: TemperatureType): Uint8Array {
  return Uint8Array.of(temperatureTypeCode(type));
}

/** Measurement Interval 0x2A21: u16 seconds, 0 = no periodic measurement (HTS v1.0 §3.4). */
export function decodeMeasurementInterval(frame: Uint8Array): number {
  fixedLength(frame, 2, 'measurement interval');
  return new ByteReader(frame).u16('measurement interval');
}

export function encodeMeasurementInterval(seconds: number): Uint8Array {
  requireRange(seconds, 0, 0xffff, 'measurement interval');
  return new ByteWriter().u16(seconds).bytes();
}

function temperatureView(m: TemperatureMeasurement): Record<string, unknown> {
  return {
    valid: true,
    [`temperature_${m.unit}`]: m.temperature,
    ...(m.timestamp === undefined ? {} : { timestamp: { ...m.timestamp } }),
    ...(m.temperatureType === undefined ? {} : temperatureTypeView(m.temperatureType)),
  };
}

/** Code plus name, the vectors' convention for enumerations (`gender` / `gender_name`). */
function temperatureTypeView(type: TemperatureType): Record<string, unknown> {
  return { temperature_type: temperatureTypeCode(type), temperature_type_name: type };
}

export const HEALTH_THERMOMETER_CODECS = [
  codec<TemperatureMeasurement>({
    uuid: '2a1c',
    name: 'Temperature Measurement',
    transport: 'gatt',
    decode: decodeTemperatureMeasurement,
    encode: encodeTemperatureMeasurement,
    view: temperatureView,
  }),
  codec<TemperatureType>({
    uuid: '2a1d',
    name: 'Temperature Type',
    transport: 'gatt',
    decode: decodeTemperatureType,
    encode: encodeTemperatureType,
    view: (type) => ({ valid: true, ...temperatureTypeView(type) }),
  }),
  codec<TemperatureMeasurement>({
    uuid: '2a1e',
    name: 'Intermediate Temperature',
    transport: 'gatt',
    decode: decodeIntermediateTemperature,
    encode: encodeIntermediateTemperature,
    view: temperatureView,
  }),
  codec<number>({
    uuid: '2a21',
    name: 'Measurement Interval',
    transport: 'gatt',
    decode: decodeMeasurementInterval,
    encode: encodeMeasurementInterval,
    view: (seconds) => ({ valid: true, measurement_interval_s: seconds }),
  }),
];
