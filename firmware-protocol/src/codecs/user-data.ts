import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { ProtocolError } from '../errors.js';
import { codec } from './types.js';
import {
  decodeUserControlPoint,
  encodeUserControlPoint,
  type UserControlPoint,
  viewUserControlPoint,
} from './user-data-control-point.js';
import { decodeUtf8Name, encodeUtf8Name } from './user-data-text.js';
import { massFromRaw, massToRaw, requireLength, UNKNOWN_USER } from './weight-scale-common.js';

/**
 * User Data Service 0x181C (UDS v1.0 §3) data characteristics. All are fixed-size except the names, so any
 * other length is PROTO_ERR_WRONG_LENGTH. They are readable only after a successful UCP Consent.
 */

export interface DateOfBirth {
  /** 1582-9999, 0 = unknown (GSS Date of Birth, same limits as Date Time). */
  year: number;
  /** 1-12, 0 = unknown. */
  month: number;
  /** 1-31, 0 = unknown. */
  day: number;
}

export type Gender = 'male' | 'female' | 'unspecified';
/** GSS Gender 0x2A8C: 0 male, 1 female, 2 unspecified; 3-255 reserved. */
export const GENDERS: readonly Gender[] = ['male', 'female', 'unspecified'];

/** One-byte unsigned characteristic: User Index 0x2A9A, Age 0x2A80. */
function decodeU8(frame: Uint8Array, what: string): number {
  requireLength(frame, 1, what);
  return frame[0]!;
}

function encodeU8(v: number, what: string): Uint8Array {
  requireRange(v, 0, 0xff, what);
  return Uint8Array.of(v);
}

export const decodeUserIndex = (frame: Uint8Array) => decodeU8(frame, 'User Index');
export const encodeUserIndex = (index: number) => encodeU8(index, 'User Index');
export const decodeAgeYears = (frame: Uint8Array) => decodeU8(frame, 'Age');
export const encodeAgeYears = (age: number) => encodeU8(age, 'Age');

/** Database Change Increment 0x2A99 (UDS v1.0 §3.2): uint32, bumped by whoever changes the user's data. */
export function decodeDatabaseChangeIncrement(frame: Uint8Array): number {
  requireLength(frame, 4, 'Database Change Increment');
  return new ByteReader(frame).u32('increment');
}

export function encodeDatabaseChangeIncrement(v: number): Uint8Array {
  requireRange(v, 0, 0xffffffff, 'Database Change Increment');
  return new ByteWriter().u32(v).bytes();
}

/** Date of Birth 0x2A85: year u16, month u8, day u8; the offset of an out-of-range field is reported. */
export function decodeDateOfBirth(frame: Uint8Array): DateOfBirth {
  requireLength(frame, 4, 'Date of Birth');
  const r = new ByteReader(frame);
  const dob = { year: r.u16('year'), month: r.u8('month'), day: r.u8('day') };
  checkDateOfBirth(dob, true);
  return dob;
}

function checkDateOfBirth(dob: DateOfBirth, withOffsets: boolean): void {
  const at = (offset: number) => (withOffsets ? offset : undefined);
  if (dob.year !== 0) requireRange(dob.year, 1582, 9999, 'year (0 = unknown)', at(0));
  requireRange(dob.month, 0, 12, 'month', at(2));
  requireRange(dob.day, 0, 31, 'day', at(3));
}

export function encodeDateOfBirth(dob: DateOfBirth): Uint8Array {
  requireRange(dob.year, 0, 9999, 'year');
  checkDateOfBirth(dob, false);
  return new ByteWriter().u16(dob.year).u8(dob.month).u8(dob.day).bytes();
}

export function decodeGender(frame: Uint8Array): Gender {
  requireLength(frame, 1, 'Gender');
  const g = GENDERS[frame[0]!];
  if (!g) throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `gender ${frame[0]} is reserved`, 0);
  return g;
}

export const encodeGender = (g: Gender) => encodeU8(GENDERS.indexOf(g), 'Gender');

/** Height 0x2A8E: uint16 in cm (UDS). */
export function decodeHeightCm(frame: Uint8Array): number {
  requireLength(frame, 2, 'Height');
  return new ByteReader(frame).u16('height');
}

export function encodeHeightCm(cm: number): Uint8Array {
  requireRange(cm, 0, 0xffff, 'height (cm)');
  return new ByteWriter().u16(cm).bytes();
}

/** Weight 0x2A98: uint16 in 0.005 kg steps (the same step as Weight Measurement in SI). */
export function decodeWeightKg(frame: Uint8Array): number {
  requireLength(frame, 2, 'Weight');
  return massFromRaw(new ByteReader(frame).u16('weight'), 'si');
}

export const encodeWeightKg = (kg: number) => new ByteWriter().u16(massToRaw(kg, 'si', 'weight')).bytes();

const userIndexView = (i: number) => ({
  user_index: i,
  ...(i === UNKNOWN_USER ? { user_index_unknown: true } : {}),
});

export const USER_DATA_CODECS = [
  codec<UserControlPoint>({
    uuid: '2a9f',
    name: 'User Control Point',
    transport: 'gatt',
    decode: decodeUserControlPoint,
    encode: encodeUserControlPoint,
    view: viewUserControlPoint,
  }),
  codec<number>({
    uuid: '2a9a',
    name: 'User Index',
    transport: 'gatt',
    decode: decodeUserIndex,
    encode: encodeUserIndex,
    view: (i) => ({ valid: true, ...userIndexView(i) }),
  }),
  codec<number>({
    uuid: '2a99',
    name: 'Database Change Increment',
    transport: 'gatt',
    decode: decodeDatabaseChangeIncrement,
    encode: encodeDatabaseChangeIncrement,
    view: (v) => ({ valid: true, database_change_increment: v }),
  }),
  codec<DateOfBirth>({
    uuid: '2a85',
    name: 'Date of Birth',
    transport: 'gatt',
    decode: decodeDateOfBirth,
    encode: encodeDateOfBirth,
    view: (d) => ({ valid: true, year: d.year, month: d.month, day: d.day }),
  }),
  codec<Gender>({
    uuid: '2a8c',
    name: 'Gender',
    transport: 'gatt',
    decode: decodeGender,
    encode: encodeGender,
    view: (g) => ({ valid: true, gender: GENDERS.indexOf(g), gender_name: g }),
  }),
  codec<number>({
    uuid: '2a8e',
    name: 'Height',
    transport: 'gatt',
    decode: decodeHeightCm,
    encode: encodeHeightCm,
    view: (cm) => ({ valid: true, height_cm: cm }),
  }),
  codec<number>({
    uuid: '2a98',
    name: 'Weight',
    transport: 'gatt',
    decode: decodeWeightKg,
    encode: encodeWeightKg,
    view: (kg) => ({ valid: true, weight_kg: kg }),
  }),
  codec<number>({
    uuid: '2a80',
    name: 'Age',
    transport: 'gatt',
    decode: decodeAgeYears,
    encode: encodeAgeYears,
    view: (age) => ({ valid: true, age_years: age }),
  }),
  codec<string>({
    uuid: '2a8a',
    name: 'First Name',
    transport: 'gatt',
    decode: (f) => decodeUtf8Name(f, 'First Name'),
    encode: (s) => encodeUtf8Name(s, 'First Name'),
    view: (s) => ({ valid: true, first_name: s }),
  }),
  codec<string>({
    uuid: '2a90',
    name: 'Last Name',
    transport: 'gatt',
    decode: (f) => decodeUtf8Name(f, 'Last Name'),
    encode: (s) => encodeUtf8Name(s, 'Last Name'),
    view: (s) => ({ valid: true, last_name: s }),
  }),
];
