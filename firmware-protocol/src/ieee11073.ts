import { ProtocolError } from './errors.js';

/**
 * IEEE 11073-20601 §F.8 numbers. SFLOAT: 4-bit exponent and 12-bit mantissa; FLOAT: 8-bit exponent and
 * 24-bit mantissa; both two's complement, base 10, no bias. The special values are the exponent-0 patterns
 * listed below and are reported as strings, never as numbers.
 */
export type SpecialValue = 'NaN' | 'NRes' | '+INF' | '-INF' | 'reserved';
export type MedicalNumber = number | SpecialValue;

const SFLOAT_SPECIAL: Record<number, SpecialValue> = {
  2047: 'NaN',
  2048: 'NRes',
  2046: '+INF',
  2050: '-INF',
  2049: 'reserved',
};
const FLOAT_SPECIAL: Record<number, SpecialValue> = {
  8388607: 'NaN',
  8388608: 'NRes',
  8388606: '+INF',
  8388610: '-INF',
  8388609: 'reserved',
};
const SFLOAT_CODE: Record<SpecialValue, number> = {
  NaN: 0x07ff,
  NRes: 0x0800,
  '+INF': 0x07fe,
  '-INF': 0x0802,
  reserved: 0x0801,
};
const FLOAT_CODE: Record<SpecialValue, number> = {
  NaN: 0x007fffff,
  NRes: 0x00800000,
  '+INF': 0x007ffffe,
  '-INF': 0x00800002,
  reserved: 0x00800001,
};

/** m × 10^e computed so that decimal values come out exact (18.9, not 18.900000000000002). */
function scale(m: number, e: number): number {
  return e < 0 ? m / 10 ** -e : m * 10 ** e;
}

export function sfloatFromRaw(raw: number): MedicalNumber {
  const special = SFLOAT_SPECIAL[raw];
  if (special) return special;
  let m = raw & 0x0fff;
  if (m >= 0x0800) m -= 0x1000;
  let e = raw >> 12;
  if (e >= 0x8) e -= 0x10;
  return scale(m, e);
}

export function floatFromRaw(raw: number): MedicalNumber {
  const special = FLOAT_SPECIAL[raw >>> 0];
  if (special) return special;
  let m = raw & 0xffffff;
  if (m >= 0x800000) m -= 0x1000000;
  const e = (raw << 0) >> 24;
  return scale(m, e);
}

export function isSpecial(v: MedicalNumber): v is SpecialValue {
  return typeof v === 'string';
}

/**
 * Chooses a valid encoding: the exponent closest to 0 that represents the value exactly with |m| within the
 * safe range (which keeps clear of the special patterns), else the finest lossy one.
 */
function encode(
  v: number,
  mBits: number,
  eMin: number,
  eMax: number,
  what: string,
): { m: number; e: number } {
  const safe = 2 ** (mBits - 1) - 3;
  if (!Number.isFinite(v))
    throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${what} cannot encode ${v}; use a special value`);
  const order = [
    0,
    ...Array.from({ length: -eMin }, (_, i) => -(i + 1)),
    ...Array.from({ length: eMax }, (_, i) => i + 1),
  ];
  for (const e of order) {
    const m = e < 0 ? v * 10 ** -e : v / 10 ** e;
    const r = Math.round(m);
    if (Math.abs(r) <= safe && Math.abs(m - r) < 1e-7 && scale(r, e) === v) return { m: r, e };
  }
  for (let e = eMin; e <= eMax; e++) {
    const r = Math.round(e < 0 ? v * 10 ** -e : v / 10 ** e);
    if (Math.abs(r) <= safe) return { m: r, e };
  }
  throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${what} cannot represent ${v}`);
}

export function sfloatToRaw(v: MedicalNumber): number {
  if (isSpecial(v)) return SFLOAT_CODE[v];
  const { m, e } = encode(v, 12, -8, 7, 'SFLOAT');
  return ((e & 0xf) << 12) | (m & 0x0fff);
}

export function floatToRaw(v: MedicalNumber): number {
  if (isSpecial(v)) return FLOAT_CODE[v];
  const { m, e } = encode(v, 24, -128, 127, 'FLOAT');
  return (((e & 0xff) << 24) | (m & 0xffffff)) >>> 0;
}
