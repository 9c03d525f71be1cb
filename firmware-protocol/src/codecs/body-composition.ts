import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { type DateTime, readDateTime, writeDateTime } from '../date-time.js';
import { ProtocolError } from '../errors.js';
import {
  type BodyCompositionFeature,
  decodeBodyCompositionFeature,
  encodeBodyCompositionFeature,
  viewBodyCompositionFeature,
} from './body-composition-feature.js';
import { codec } from './types.js';
import {
  heightFromRaw,
  heightKey,
  heightToRaw,
  type MeasurementUnits,
  massFromRaw,
  massKey,
  massToRaw,
  toRaw,
  userIdView,
} from './weight-scale-common.js';

export interface BodyCompositionMeasurement {
  /** Flags bit 0: every mass field is kg (0.005 steps) or lb (0.01 steps); height m (0.001) or in (0.1). */
  units: MeasurementUnits;
  /** %, 0.1 steps; null = "Measurement Unsuccessful" (raw 0xFFFF). */
  bodyFatPercent: number | null;
  timestamp?: DateTime;
  /** 0xFF = unknown user. */
  userId?: number;
  basalMetabolismKj?: number;
  /** %, 0.1 steps. */
  musclePercent?: number;
  /** Masses in kg or lb per `units`. */
  muscleMass?: number;
  fatFreeMass?: number;
  softLeanMass?: number;
  bodyWaterMass?: number;
  /** Ω, 0.1 steps. */
  impedanceOhm?: number;
  weight?: number;
  /** m or in per `units`. */
  height?: number;
  /** Flags bit 12: this frame is one packet of a measurement split over several indications. */
  multiplePacket: boolean;
}

/** The optional data fields after Time Stamp and User ID, in wire order, with their flag bit. */
export type BcmDataKey =
  | 'basalMetabolismKj'
  | 'musclePercent'
  | 'muscleMass'
  | 'fatFreeMass'
  | 'softLeanMass'
  | 'bodyWaterMass'
  | 'impedanceOhm'
  | 'weight'
  | 'height';

type Kind = 'kJ' | 'tenth' | 'mass' | 'height';

/** BCS v1.0 §3.2 Flags: bits 3-11 announce these fields, which follow in this order. */
export const BCM_DATA_FIELDS: readonly { key: BcmDataKey; bit: number; kind: Kind; view: string }[] = [
  { key: 'basalMetabolismKj', bit: 3, kind: 'kJ', view: 'basal_metabolism_kJ' },
  { key: 'musclePercent', bit: 4, kind: 'tenth', view: 'muscle_percent' },
  { key: 'muscleMass', bit: 5, kind: 'mass', view: 'muscle_mass' },
  { key: 'fatFreeMass', bit: 6, kind: 'mass', view: 'fat_free_mass' },
  { key: 'softLeanMass', bit: 7, kind: 'mass', view: 'soft_lean_mass' },
  { key: 'bodyWaterMass', bit: 8, kind: 'mass', view: 'body_water_mass' },
  { key: 'impedanceOhm', bit: 9, kind: 'tenth', view: 'impedance_ohm' },
  { key: 'weight', bit: 10, kind: 'mass', view: 'weight' },
  { key: 'height', bit: 11, kind: 'height', view: 'height' },
];

const FLAG_IMPERIAL = 1 << 0;
const FLAG_TIME_STAMP = 1 << 1;
const FLAG_USER_ID = 1 << 2;
const FLAG_MULTIPLE_PACKET = 1 << 12;
const FAT_UNSUCCESSFUL = 0xffff;

function fromRaw(raw: number, kind: Kind, units: MeasurementUnits): number {
  if (kind === 'mass') return massFromRaw(raw, units);
  if (kind === 'height') return heightFromRaw(raw, units);
  return kind === 'tenth' ? raw / 10 : raw;
}

function toWire(v: number, kind: Kind, units: MeasurementUnits, field: string): number {
  if (kind === 'mass') return massToRaw(v, units, field);
  if (kind === 'height') return heightToRaw(v, units, field);
  return toRaw(v, kind === 'tenth' ? 10 : 1, 0xffff, field);
}

/**
 * Decodes Body Composition Measurement 0x2A9C (BCS v1.0 §3.2). Flags bits 13-15 are RFU and ignored. Each
 * packet of a multi-packet measurement decodes on its own; BodyCompositionAssembler merges them.
 */
export function decodeBodyCompositionMeasurement(frame: Uint8Array): BodyCompositionMeasurement {
  const r = new ByteReader(frame);
  const flags = r.u16('flags');
  const units: MeasurementUnits = flags & FLAG_IMPERIAL ? 'imperial' : 'si';
  const rawFat = r.u16('body fat percentage');
  const out: BodyCompositionMeasurement = {
    units,
    bodyFatPercent: rawFat === FAT_UNSUCCESSFUL ? null : rawFat / 10,
    multiplePacket: (flags & FLAG_MULTIPLE_PACKET) !== 0,
  };
  // BCS v1.0 §3.2 Flags: bit 1 → Time Stamp, bit 2 → User ID, then bits 3-11 in BCM_DATA_FIELDS order.
  if (flags & FLAG_TIME_STAMP) out.timestamp = readDateTime(r);
  if (flags & FLAG_USER_ID) out.userId = r.u8('user ID');
  for (const f of BCM_DATA_FIELDS) {
    if (flags & (1 << f.bit)) out[f.key] = fromRaw(r.u16(f.view), f.kind, units);
  }
  // An unsuccessful body fat "should" come with Time Stamp / User ID only; the public vector
  // bcm-ts-unsuccessful-unknown-user also carries Weight, and receivers keep it. Only the encoder enforces it.
  r.end();
  return out;
}

/** Encodes 0x2A9C as one frame (up to 30 bytes); values are rounded to the nearest wire step. */
export function encodeBodyCompositionMeasurement(m: BodyCompositionMeasurement): Uint8Array {
  const present = BCM_DATA_FIELDS.filter((f) => m[f.key] !== undefined);
  if (m.bodyFatPercent === null && present.length > 0) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      `an unsuccessful measurement may only carry Time Stamp and User ID, not ${present[0]!.key} (BCS v1.0 §3.2)`,
    );
  }
  let flags = m.units === 'imperial' ? FLAG_IMPERIAL : 0;
  if (m.timestamp) flags |= FLAG_TIME_STAMP;
  if (m.userId !== undefined) flags |= FLAG_USER_ID;
  for (const f of present) flags |= 1 << f.bit;
  if (m.multiplePacket) flags |= FLAG_MULTIPLE_PACKET;
  const w = new ByteWriter().u16(flags);
  // 0xFFFF means "unsuccessful", so a real percentage tops out one step below it.
  w.u16(m.bodyFatPercent === null ? FAT_UNSUCCESSFUL : toRaw(m.bodyFatPercent, 10, 0xfffe, 'body fat'));
  if (m.timestamp) writeDateTime(w, m.timestamp);
  if (m.userId !== undefined) {
    requireRange(m.userId, 0, 0xff, 'user ID');
    w.u8(m.userId);
  }
  for (const f of present) w.u16(toWire(m[f.key]!, f.kind, m.units, f.key));
  return w.bytes();
}

export function viewBodyCompositionMeasurement(m: BodyCompositionMeasurement): Record<string, unknown> {
  const out: Record<string, unknown> = { valid: true };
  if (m.bodyFatPercent === null) out.measurement_unsuccessful = true;
  else out.body_fat_percent = m.bodyFatPercent;
  if (m.timestamp) out.timestamp = { ...m.timestamp };
  Object.assign(out, userIdView(m.userId));
  for (const f of BCM_DATA_FIELDS) {
    const v = m[f.key];
    if (v === undefined) continue;
    const key =
      f.kind === 'mass' ? massKey(f.view, m.units) : f.kind === 'height' ? heightKey(m.units) : f.view;
    out[key] = v;
  }
  out.multiple_packet = m.multiplePacket;
  return out;
}

export const BODY_COMPOSITION_CODECS = [
  codec<BodyCompositionMeasurement>({
    uuid: '2a9c',
    name: 'Body Composition Measurement',
    transport: 'gatt',
    decode: decodeBodyCompositionMeasurement,
    encode: encodeBodyCompositionMeasurement,
    view: viewBodyCompositionMeasurement,
  }),
  codec<BodyCompositionFeature>({
    uuid: '2a9b',
    name: 'Body Composition Feature',
    transport: 'gatt',
    decode: decodeBodyCompositionFeature,
    encode: encodeBodyCompositionFeature,
    view: viewBodyCompositionFeature,
  }),
];
