import { ByteReader, ByteWriter, requireRange } from '../bytes.js';
import {
  HEIGHT_RESOLUTIONS,
  MASS_RESOLUTIONS,
  requireLength,
  resolutionName,
} from './weight-scale-common.js';

/** Body Composition Feature 0x2A9B (BCS v1.0 §3.1): which optional BCM fields the scale can send. */
export interface BodyCompositionFeature {
  timeStampSupported: boolean;
  multipleUsersSupported: boolean;
  basalMetabolismSupported: boolean;
  musclePercentSupported: boolean;
  muscleMassSupported: boolean;
  fatFreeMassSupported: boolean;
  softLeanMassSupported: boolean;
  bodyWaterMassSupported: boolean;
  impedanceSupported: boolean;
  weightSupported: boolean;
  heightSupported: boolean;
  /** Bits 11-14: index into MASS_RESOLUTIONS (0 = not specified); 8-15 are reserved. */
  massResolutionCode: number;
  /** Bits 15-17: index into HEIGHT_RESOLUTIONS (0 = not specified); 4-7 are reserved. */
  heightResolutionCode: number;
}

type FlagKey = Exclude<keyof BodyCompositionFeature, 'massResolutionCode' | 'heightResolutionCode'>;

/** BCS v1.0 §3.1: bits 0-10, one per optional field, with the view key for each. */
const FLAGS: readonly [FlagKey, string][] = [
  ['timeStampSupported', 'timestamp_supported'],
  ['multipleUsersSupported', 'multiple_users_supported'],
  ['basalMetabolismSupported', 'basal_metabolism_supported'],
  ['musclePercentSupported', 'muscle_percent_supported'],
  ['muscleMassSupported', 'muscle_mass_supported'],
  ['fatFreeMassSupported', 'fat_free_mass_supported'],
  ['softLeanMassSupported', 'soft_lean_mass_supported'],
  ['bodyWaterMassSupported', 'body_water_mass_supported'],
  ['impedanceSupported', 'impedance_supported'],
  ['weightSupported', 'weight_supported'],
  ['heightSupported', 'height_supported'],
];

/** Fixed uint32; bits 18-31 are RFU and ignored. Reserved resolution codes decode (as 'reserved'). */
export function decodeBodyCompositionFeature(frame: Uint8Array): BodyCompositionFeature {
  requireLength(frame, 4, 'Body Composition Feature');
  const v = new ByteReader(frame).u32('features');
  const out = {
    massResolutionCode: (v >>> 11) & 0x0f,
    heightResolutionCode: (v >>> 15) & 0x07,
  } as BodyCompositionFeature;
  FLAGS.forEach(([key], bit) => {
    out[key] = (v & (1 << bit)) !== 0;
  });
  return out;
}

/** The defined bits only; no validation, so the view can use it on any decoded value. */
function featureBits(f: BodyCompositionFeature): number {
  let v = ((f.massResolutionCode & 0x0f) << 11) | ((f.heightResolutionCode & 0x07) << 15);
  FLAGS.forEach(([key], bit) => {
    if (f[key]) v |= 1 << bit;
  });
  return v;
}

export function encodeBodyCompositionFeature(f: BodyCompositionFeature): Uint8Array {
  requireRange(f.massResolutionCode, 0, MASS_RESOLUTIONS.length - 1, 'mass resolution code');
  requireRange(f.heightResolutionCode, 0, HEIGHT_RESOLUTIONS.length - 1, 'height resolution code');
  return new ByteWriter().u32(featureBits(f)).bytes();
}

export function viewBodyCompositionFeature(f: BodyCompositionFeature): Record<string, unknown> {
  const out: Record<string, unknown> = { valid: true, raw: featureBits(f) };
  for (const [key, view] of FLAGS) out[view] = f[key];
  out.mass_resolution_code = f.massResolutionCode;
  out.mass_resolution = resolutionName(MASS_RESOLUTIONS, f.massResolutionCode);
  out.height_resolution_code = f.heightResolutionCode;
  out.height_resolution = resolutionName(HEIGHT_RESOLUTIONS, f.heightResolutionCode);
  return out;
}
