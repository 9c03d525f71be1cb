import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import { type DateTime, readDateTime, writeDateTime } from '../date-time.js';
import { ProtocolError } from '../errors.js';
import { codec } from './types.js';
import { requireLength, toRaw } from './weight-scale-common.js';

/**
 * Xiaomi advertisement service data (no SIG spec; layouts as described by openScale, ble-scale-sync,
 * ble_monitor / xiaomi-ble and Theengs, checked against the 181d/181b public vectors). All fields little-endian.
 *
 * Mi Scale v1 (XMTZC01HM/04HM), service data 0x181D, 10 bytes:
 *   [0] control · [1-2] weight · [3-9] date (year u16, month, day, hours, minutes, seconds)
 *   control: bit 0 lb · bit 4 jin (catty) · bit 5 stabilized · bit 6 Theengs' "object" mode · bit 7 load removed
 * Mi Body Composition Scale 2 (XMTZC02HM/05HM), service data 0x181B, 13 bytes:
 *   [0] control 0 · [1] control 1 · [2-8] date · [9-10] impedance Ω · [11-12] weight
 *   control 0: bit 0 lb · bit 2 Theengs' "object" mode
 *   control 1: bit 1 impedance present · bit 5 stabilized · bit 6 jin · bit 7 load removed
 * Weight: kg = raw / 200; lb and jin = raw / 100. lb wins over jin when both bits are set (openScale's order).
 */
export type MiScaleUnit = 'kg' | 'lb' | 'jin';

interface MiScaleCommon {
  unit: MiScaleUnit;
  /** In `unit`: kg in 0.005 steps, lb and jin in 0.01 steps. */
  weight: number;
  stabilized: boolean;
  /** The person stepped off; the weight is the last value seen, not a new measurement. */
  loadRemoved: boolean;
  /** Only Theengs names this bit ("object" vs "person" weighing); kept so the view can render it. */
  theengsObjectMode: boolean;
  /** The scale's own clock, sent in every frame (1970 when never set). */
  timestamp: DateTime;
  /** Control bits given no meaning here (v1 bits 1-3, and jin's bit when lb wins); kept for byte-exact re-encoding. */
  otherControlBits: number;
}

export type MiScaleV1Advertisement = MiScaleCommon;

export interface MiBodyCompositionScale2Advertisement extends MiScaleCommon {
  impedancePresent: boolean;
  /** The raw Ω field; meaningful only when `impedancePresent` (it is often 0 otherwise). */
  impedanceOhm: number;
}

const PER_UNIT: Record<MiScaleUnit, number> = { kg: 200, lb: 100, jin: 100 };

/** Bit masks in one number: v1 uses bits 0-7 of its control byte, v2 uses control0 | control1 << 8. */
interface ControlLayout {
  lb: number;
  jin: number;
  stabilized: number;
  removed: number;
  object: number;
  impedance: number;
}
const V1: ControlLayout = {
  lb: 0x01,
  jin: 0x10,
  stabilized: 0x20,
  removed: 0x80,
  object: 0x40,
  impedance: 0,
};
const V2: ControlLayout = {
  lb: 0x0001,
  jin: 0x4000,
  stabilized: 0x2000,
  removed: 0x8000,
  object: 0x0004,
  impedance: 0x0200,
};

function unitFromControl(c: number, l: ControlLayout): MiScaleUnit {
  if (c & l.lb) return 'lb';
  return c & l.jin ? 'jin' : 'kg';
}

function unitBits(unit: MiScaleUnit, l: ControlLayout): number {
  return unit === 'lb' ? l.lb : unit === 'jin' ? l.jin : 0;
}

function decodeCommon(c: number, l: ControlLayout, rawWeight: number, timestamp: DateTime): MiScaleCommon {
  const unit = unitFromControl(c, l);
  const modeled = l.stabilized | l.removed | l.object | l.impedance | unitBits(unit, l);
  return {
    unit,
    weight: rawWeight / PER_UNIT[unit],
    stabilized: (c & l.stabilized) !== 0,
    loadRemoved: (c & l.removed) !== 0,
    theengsObjectMode: (c & l.object) !== 0,
    timestamp,
    otherControlBits: c & ~modeled,
  };
}

/** The control bits for `m`, unchecked so the view can use it on any decoded value. */
function controlBits(m: MiScaleCommon, l: ControlLayout, impedancePresent: boolean): number {
  return (
    m.otherControlBits |
    unitBits(m.unit, l) |
    (m.stabilized ? l.stabilized : 0) |
    (m.loadRemoved ? l.removed : 0) |
    (m.theengsObjectMode ? l.object : 0) |
    (impedancePresent ? l.impedance : 0)
  );
}

/** Refuses `otherControlBits` that would change what the frame decodes to, then builds the control bits. */
function encodeControl(m: MiScaleCommon, l: ControlLayout, impedancePresent: boolean, max: number): number {
  requireRange(m.otherControlBits, 0, max, 'other control bits');
  // lb among the "other" bits would override the unit, and so would jin unless lb already wins.
  const forbidden = l.stabilized | l.removed | l.object | l.impedance | l.lb | (m.unit === 'lb' ? 0 : l.jin);
  if (m.otherControlBits & forbidden) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      `other control bits 0x${m.otherControlBits.toString(16)} overlap modeled bits 0x${forbidden.toString(16)}`,
    );
  }
  return controlBits(m, l, impedancePresent);
}

export function decodeMiScaleV1(frame: Uint8Array): MiScaleV1Advertisement {
  requireLength(frame, 10, 'Mi Scale v1 service data');
  const r = new ByteReader(frame);
  const control = r.u8('control');
  const rawWeight = r.u16('weight');
  return decodeCommon(control, V1, rawWeight, readDateTime(r));
}

export function encodeMiScaleV1(m: MiScaleV1Advertisement): Uint8Array {
  const control = encodeControl(m, V1, false, 0xff);
  const w = new ByteWriter().u8(control).u16(toRaw(m.weight, PER_UNIT[m.unit], 0xffff, 'weight'));
  writeDateTime(w, m.timestamp);
  return w.bytes();
}

export function decodeMiBodyCompositionScale2(frame: Uint8Array): MiBodyCompositionScale2Advertisement {
  requireLength(frame, 13, 'Mi Body Composition Scale 2 service data');
  const r = new ByteReader(frame);
  const control = r.u16('control');
  const timestamp = readDateTime(r);
  const impedanceOhm = r.u16('impedance');
  const common = decodeCommon(control, V2, r.u16('weight'), timestamp);
  return { ...common, impedancePresent: (control & V2.impedance) !== 0, impedanceOhm };
}

export function encodeMiBodyCompositionScale2(m: MiBodyCompositionScale2Advertisement): Uint8Array {
  const control = encodeControl(m, V2, m.impedancePresent, 0xffff);
  requireRange(m.impedanceOhm, 0, 0xffff, 'impedance');
  const w = new ByteWriter().u16(control);
  writeDateTime(w, m.timestamp);
  return w
    .u16(m.impedanceOhm)
    .u16(toRaw(m.weight, PER_UNIT[m.unit], 0xffff, 'weight'))
    .bytes();
}

/** A reading worth recording: stabilized and still loaded (openScale and ble-scale-sync drop the rest). */
export const isPublishable = (m: MiScaleCommon) => m.stabilized && !m.loadRemoved;

function viewCommon(m: MiScaleCommon, control: unknown): Record<string, unknown> {
  return {
    valid: true,
    transport: 'adv_service_data',
    control,
    unit: m.unit,
    [`weight_${m.unit}`]: m.weight,
    stabilized_flag: m.stabilized,
    load_removed_flag: m.loadRemoved,
    publishable: isPublishable(m),
  };
}

const theengsMode = (m: MiScaleCommon) => ({
  theengs_weighing_mode: m.theengsObjectMode ? 'object' : 'person',
});

/**
 * v1 view: the scale's date is always shown (a clock never set reads 1970), and `theengs_weighing_mode`
 * whenever Theengs' own XMTZC04HM model would decode the frame (control high nibble 2/6/a/e: stabilized
 * set, jin clear). Public vectors from different projects assert different subsets of these keys for the
 * same control bits; each key they assert matches (docs/decisions.md, "Vectors that disagree").
 */
export function viewMiScaleV1(m: MiScaleV1Advertisement): Record<string, unknown> {
  const control = controlBits(m, V1, false);
  return {
    ...viewCommon(m, control),
    timestamp: { ...m.timestamp },
    ...((control & 0x30) === 0x20 ? theengsMode(m) : {}),
  };
}

/**
 * v2 view. The impedance and the scale's date are shown only for a completed body-composition measurement:
 * publishable and with the impedance bit set (openScale and ble_monitor read impedance only from such frames;
 * the scale sends the same date in every frame, live ones included). `theengs_weighing_mode` appears when
 * Theengs' XMTZC05HM model would decode the frame and name a mode (control 1 high nibble 2/a, control 0 low
 * nibble 2/3/6/7).
 */
export function viewMiBodyCompositionScale2(
  m: MiBodyCompositionScale2Advertisement,
): Record<string, unknown> {
  const control = controlBits(m, V2, m.impedancePresent);
  const c0 = control & 0xff;
  const c1 = control >>> 8;
  const complete = isPublishable(m) && m.impedancePresent;
  return {
    ...viewCommon(m, [c0, c1]),
    ...(complete ? { impedance_ohm: m.impedanceOhm, timestamp: { ...m.timestamp } } : {}),
    ...((c1 & 0x70) === 0x20 && (c0 & 0x0a) === 0x02 ? theengsMode(m) : {}),
  };
}

export const XIAOMI_SCALE_CODECS = [
  codec<MiScaleV1Advertisement>({
    uuid: '181d',
    name: 'Xiaomi Mi Scale v1 (service data)',
    transport: 'adv_service_data',
    decode: decodeMiScaleV1,
    encode: encodeMiScaleV1,
    view: viewMiScaleV1,
  }),
  codec<MiBodyCompositionScale2Advertisement>({
    uuid: '181b',
    name: 'Xiaomi Mi Body Composition Scale 2 (service data)',
    transport: 'adv_service_data',
    decode: decodeMiBodyCompositionScale2,
    encode: encodeMiBodyCompositionScale2,
    view: viewMiBodyCompositionScale2,
  }),
];
