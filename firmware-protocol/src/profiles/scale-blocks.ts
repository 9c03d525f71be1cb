import { toCanonical } from '../catalog/units.js';
import {
  type BodyCompositionMeasurement,
  decodeBodyCompositionMeasurement,
} from '../codecs/body-composition.js';
import { decodeWeightMeasurement } from '../codecs/weight-scale.js';
import { decodeMiBodyCompositionScale2, decodeMiScaleV1, type MiScaleUnit } from '../codecs/xiaomi-scale.js';
import { withTime } from './blocks.js';
import type { BlockReading, MeasurementBlock } from './types.js';

const MASS_UNIT = { si: undefined, imperial: '[lb_av]' } as const;
const LENGTH_UNIT = { si: undefined, imperial: '[in_i]' } as const;
const MI_UNIT: Record<MiScaleUnit, string | undefined> = { kg: undefined, lb: '[lb_av]', jin: '{jin}' };

const conv = (v: number, unit: string | undefined) => (unit ? toCanonical(v, unit).value : v);

/** User ID 0xFF is "unknown user" (WSS/BCS): no slot, so ingest holds the reading for attribution. */
function slotOf(userId: number | undefined, quality: string[]): number | null {
  if (userId === 0xff) quality.push('unknown_user');
  return userId === undefined || userId === 0xff ? null : userId;
}

/** Weight Measurement, indicated (WSS v1.0 §3.1); imperial values are converted to kg and m. */
export const weightBlock: MeasurementBlock = {
  id: 'wss.measurement',
  service: 0x181d,
  characteristic: 0x2a9d,
  delivery: 'indicate',
  metric: 'body_weight',
  decode(frame) {
    const m = decodeWeightMeasurement(frame);
    if (m.weight === null) return []; // "Measurement Unsuccessful": nothing to store
    const mass = MASS_UNIT[m.units];
    const values: Record<string, number> = { weight: conv(m.weight, mass) };
    if (m.bmiAndHeight) {
      values.bmi = m.bmiAndHeight.bmi;
      values.height = conv(m.bmiAndHeight.height, LENGTH_UNIT[m.units]);
    }
    const quality: string[] = [];
    const slot = slotOf(m.userId, quality);
    return [withTime({ values, quality, slot, ...(mass ? { origUnit: mass } : {}) }, m.timestamp)];
  },
};

const BCM_MASSES = [
  ['muscleMass', 'muscle_mass'],
  ['fatFreeMass', 'fat_free_mass'],
  ['softLeanMass', 'soft_lean_mass'],
  ['bodyWaterMass', 'water_mass'],
  ['weight', 'weight'],
] as const;

/** Maps one Body Composition Measurement (possibly merged from several packets) to canonical values. */
export function bodyCompositionReading(m: BodyCompositionMeasurement): BlockReading | undefined {
  if (m.bodyFatPercent === null) return undefined;
  const mass = MASS_UNIT[m.units];
  const values: Record<string, number> = { fat_percent: m.bodyFatPercent };
  if (m.basalMetabolismKj !== undefined) values.basal_metabolism = m.basalMetabolismKj;
  if (m.musclePercent !== undefined) values.muscle_percent = m.musclePercent;
  for (const [k, field] of BCM_MASSES) if (m[k] !== undefined) values[field] = conv(m[k], mass);
  if (m.impedanceOhm !== undefined) values.impedance = m.impedanceOhm;
  if (m.height !== undefined) values.height = conv(m.height, LENGTH_UNIT[m.units]);
  const quality = m.multiplePacket ? ['partial_packet'] : [];
  const slot = slotOf(m.userId, quality);
  return withTime({ values, quality, slot, ...(mass ? { origUnit: mass } : {}) }, m.timestamp);
}

/**
 * Body Composition Measurement, indicated (BCS v1.0 §3.1). A multi-packet measurement arrives as several
 * frames, each decoded on its own here and flagged `partial_packet`; merging needs per-device state, which the
 * gateway keeps with BodyCompositionAssembler.
 */
export const bodyCompositionBlock: MeasurementBlock = {
  id: 'bcs.measurement',
  service: 0x181b,
  characteristic: 0x2a9c,
  delivery: 'indicate',
  metric: 'body_composition',
  decode(frame) {
    const r = bodyCompositionReading(decodeBodyCompositionMeasurement(frame));
    return r ? [r] : [];
  },
};

/** Xiaomi Mi Scale v1 service data: only stabilised frames with the person still on the scale are readings. */
export const miScaleAdvertBlock: MeasurementBlock = {
  id: 'xiaomi.mi-scale.advert',
  service: 0x181d,
  characteristic: 0x181d,
  delivery: 'advertisement',
  metric: 'body_weight',
  decode(frame) {
    const m = decodeMiScaleV1(frame);
    if (!m.stabilized || m.loadRemoved) return [];
    const unit = MI_UNIT[m.unit];
    return [
      withTime(
        {
          values: { weight: conv(m.weight, unit) },
          quality: ['attribution_by_weight'],
          slot: null,
          ...(unit ? { origUnit: unit } : {}),
        },
        m.timestamp,
      ),
    ];
  },
};

/** Mi Body Composition Scale 2 service data: weight, plus impedance once the measurement completed. */
export const miBodyCompositionAdvertBlock: MeasurementBlock = {
  id: 'xiaomi.mi-body-composition.advert',
  service: 0x181b,
  characteristic: 0x181b,
  delivery: 'advertisement',
  metric: 'body_composition',
  decode(frame) {
    const m = decodeMiBodyCompositionScale2(frame);
    if (!m.stabilized || m.loadRemoved) return [];
    const unit = MI_UNIT[m.unit];
    const values: Record<string, number> = { weight: conv(m.weight, unit) };
    if (m.impedancePresent && m.impedanceOhm > 0) values.impedance = m.impedanceOhm;
    return [
      withTime(
        { values, quality: ['attribution_by_weight'], slot: null, ...(unit ? { origUnit: unit } : {}) },
        m.timestamp,
      ),
    ];
  },
};
