import type { Clock } from '../clock.js';
import { BloodPressureCuff } from '../devices/bp-cuff.js';
import { PulseOximeter } from '../devices/pulse-oximeter.js';
import { Thermometer } from '../devices/thermometer.js';
import { Wristband } from '../devices/wristband.js';
import { SCALE_FAULTS } from '../faults/scales.js';
import type { DeviceKind, FaultVariant } from '../faults/types.js';
import { VITALS_FAULTS } from '../faults/vitals.js';
import { SimGattError } from '../gatt/errors.js';
import type { SimPeripheral } from '../peripheral.js';
import { MiScale } from '../scales/mi-scale.js';
import { WeightScale } from '../scales/weight-scale.js';

export interface DeviceBuild {
  address: string;
  seed: number;
  clock: Clock;
  name?: string;
  /** Kind-specific constructor options (e.g. the wristband's `intervalMs`), passed through as given. */
  options?: Record<string, unknown>;
}

export interface DeviceKindInfo {
  kind: DeviceKind;
  summary: string;
  /** GATT services (or, for advertisement-only devices, Service Data UUIDs), as SIG short UUIDs. */
  services: string[];
  build(b: DeviceBuild): SimPeripheral;
}

/** Two members of the demo household, as the multi-user scales know them. */
export const DEMO_SCALE_USERS = [
  { index: 1, consent: 1234, weightKg: 82, heightCm: 181, gender: 'male' as const, firstName: 'Alex' },
  { index: 2, consent: 5678, weightKg: 64, heightCm: 167, gender: 'female' as const, firstName: 'Sam' },
];

export const DEVICE_KINDS: readonly DeviceKindInfo[] = [
  {
    kind: 'wristband',
    summary: 'Heart Rate (HRS) wristband: 1 Hz notifications with RR intervals, contact and energy',
    services: ['180d', '180f', '180a'],
    build: (b) => new Wristband({ ...b.options, ...b }),
  },
  {
    kind: 'bp-cuff',
    summary: 'Blood Pressure (BLS) cuff, users 1/2: cuff pressure while inflating, indicated results, memory',
    services: ['1810', '1805', '180f', '180a'],
    build: (b) => new BloodPressureCuff({ ...b.options, ...b }),
  },
  {
    kind: 'scale',
    summary: 'Weight + Body Composition scale (WSS/BCS) with UDS users and consent codes, history replay',
    services: ['181d', '181b', '181c', '1805', '180f', '180a'],
    build: (b) => new WeightScale({ users: DEMO_SCALE_USERS, ...b.options, ...b }),
  },
  {
    kind: 'pulse-oximeter',
    summary: 'Pulse oximeter (PLXS): continuous SpO2/pulse and spot-checks stored behind RACP',
    services: ['1822', '180f', '180a'],
    build: (b) => new PulseOximeter({ ...b.options, ...b }),
  },
  {
    kind: 'thermometer',
    summary: 'Health Thermometer (HTS): intermediate then indicated temperatures, measurement interval',
    services: ['1809', '180f', '180a'],
    build: (b) => new Thermometer({ ...b.options, ...b }),
  },
  {
    kind: 'mi-scale',
    summary: 'Advertisement-only body-composition scale (Mi Scale-style Service Data 0x181B)',
    services: ['181b'],
    build: (b) => new MiScale({ ...b.options, ...b }),
  },
];

export const FAULTS: readonly FaultVariant[] = [...VITALS_FAULTS, ...SCALE_FAULTS];

export function deviceKind(kind: string): DeviceKindInfo {
  const info = DEVICE_KINDS.find((k) => k.kind === kind);
  if (!info)
    throw new SimGattError(
      'SIM_ERR_UNKNOWN_DEVICE_KIND',
      `no device kind "${kind}"; known: ${DEVICE_KINDS.map((k) => k.kind).join(', ')}`,
    );
  return info;
}

export function findFault(name: string): FaultVariant {
  const f = FAULTS.find((x) => x.name === name);
  if (!f)
    throw new SimGattError(
      'SIM_ERR_UNKNOWN_FAULT',
      `no faulty variant "${name}"; known: ${FAULTS.map((x) => x.name).join(', ')}`,
    );
  return f;
}

/** Builds one device, then breaks it as the named faulty variant says. */
export function createDevice(kind: string, b: DeviceBuild, fault?: string): SimPeripheral {
  const info = deviceKind(kind);
  const variant = fault === undefined ? undefined : findFault(fault);
  if (variant && variant.device !== info.kind)
    throw new SimGattError(
      'SIM_ERR_INVALID_OPTION',
      `fault ${variant.name} is for a ${variant.device}, not a ${kind}`,
    );
  const device = info.build(b);
  variant?.apply(device);
  return device;
}
