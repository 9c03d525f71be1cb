/**
 * A device's CRM kind. The registry records the kind of the device's profile (firmware-protocol's profiles:
 * the GATT service it implements); a device without a known profile is recognised by the metrics it reports
 * (firmware-protocol's metric catalog: Blood Pressure service → cuff, Weight Scale / Body Composition →
 * scale, Pulse Oximeter → oximeter, Health Thermometer → thermometer, Heart Rate → band).
 */
import type { DeviceKind } from '../catalog.js';

const BY_PROFILE_KIND: Readonly<Record<string, DeviceKind>> = {
  scale: 'scale',
  bp_cuff: 'cuff',
  wristband: 'band',
  pulse_oximeter: 'oximeter',
  thermometer: 'thermometer',
};

const BY_METRIC: Readonly<Record<string, DeviceKind>> = {
  blood_pressure: 'cuff',
  body_weight: 'scale',
  body_composition: 'scale',
  spo2: 'oximeter',
  body_temperature: 'thermometer',
  heart_rate: 'band',
};

export function deviceKindOf(registryKind: string | null, metrics: Iterable<string> = []): DeviceKind | null {
  const k = registryKind === null ? undefined : BY_PROFILE_KIND[registryKind];
  if (k) return k;
  // Blood pressure and weight decide before heart rate: cuffs and some scales report a pulse too.
  const seen = new Set([...metrics].map((m) => BY_METRIC[m]).filter((x): x is DeviceKind => x !== undefined));
  for (const kind of ['cuff', 'scale', 'oximeter', 'thermometer', 'band'] as const)
    if (seen.has(kind)) return kind;
  return null;
}
