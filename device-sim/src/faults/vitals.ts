import { BloodPressureCuff } from '../devices/bp-cuff.js';
import { PulseOximeter } from '../devices/pulse-oximeter.js';
import { Thermometer } from '../devices/thermometer.js';
import { Wristband } from '../devices/wristband.js';
import { SimGattError } from '../gatt/errors.js';
import type { SimPeripheral } from '../peripheral.js';
import type { DeviceKind, FaultVariant } from './types.js';

/** Blood Pressure Measurement flags (BLS v1.1.1 §3.1): bit 0 kPa, bit 1 Time Stamp present. */
const BPM_FLAG_KPA = 0x01;
const BPM_FLAG_TIMESTAMP = 0x02;
/** Flags byte plus three SFLOATs precede the Time Stamp, whose first field is the u16 year. */
const BPM_TIMESTAMP_OFFSET = 7;
const YEARS_AHEAD = 7;
/** IEEE 11073-20601 FLOAT NaN, 0x007FFFFF, little-endian. */
const FLOAT_NAN = Uint8Array.of(0xff, 0xff, 0x7f, 0x00);

/**
 * Builds a fault for one device class. The list holds faults for several classes, so `apply` takes any
 * peripheral and checks at run time that it got the kind it was written for.
 */
function faultFor<D extends SimPeripheral>(
  kind: abstract new (...args: never[]) => D,
  spec: { name: string; device: DeviceKind; summary: string; violates: string; apply: (device: D) => void },
): FaultVariant {
  return {
    name: spec.name,
    device: spec.device,
    summary: spec.summary,
    violates: spec.violates,
    apply(device: SimPeripheral): void {
      if (!(device instanceof kind))
        throw new SimGattError(
          'SIM_ERR_INVALID_OPTION',
          `fault ${spec.name} is for a ${spec.device}, not ${device.constructor.name}`,
        );
      spec.apply(device);
    },
  };
}

/** Rewrites frames of one characteristic as they leave the device, leaving everything else untouched. */
function rewrite(
  device: SimPeripheral,
  characteristic: string,
  edit: (bytes: Uint8Array) => Uint8Array,
): void {
  device.addFrameFilter((r) =>
    r.characteristic === characteristic && r.kind !== 'read' ? edit(r.bytes) : r.bytes,
  );
}

/** Faulty variants of the vital-signs devices, each breaking exactly one rule of its profile. */
export const VITALS_FAULTS: readonly FaultVariant[] = [
  faultFor(BloodPressureCuff, {
    name: 'bp-cuff-notify-instead-of-indicate',
    device: 'bp-cuff',
    summary: 'Blood Pressure Measurement is declared notify-only, so results arrive unacknowledged.',
    violates:
      'BLS v1.1.1 §3.1: Blood Pressure Measurement is indicated (Indicate mandatory, Notify excluded).',
    apply: (cuff) => cuff.overrideProperties('1810', '2a35', ['notify']),
  }),
  faultFor(BloodPressureCuff, {
    name: 'bp-cuff-missing-feature',
    device: 'bp-cuff',
    summary: 'The Blood Pressure Feature characteristic is missing from the GATT table.',
    violates: 'BLS v1.1.1 §3.3: Blood Pressure Feature (0x2A49) is mandatory.',
    apply: (cuff) => cuff.removeCharacteristic('1810', '2a49'),
  }),
  faultFor(BloodPressureCuff, {
    // Chosen over reserved bits because it decodes cleanly: only a plausibility check on the values (a
    // 120 kPa systolic is 900 mmHg) can catch it, which is the failure real mis-flagged cuffs cause.
    name: 'bp-cuff-wrong-flag-bits',
    device: 'bp-cuff',
    summary: 'Measurements set the kPa unit flag while the pressures are still in mmHg.',
    violates: 'BLS v1.1.1 §3.1: Flags bit 0 gives the unit of the systolic, diastolic and MAP fields.',
    apply: (cuff) =>
      rewrite(cuff, '2a35', (b) => {
        const out = Uint8Array.from(b);
        out[0] = (out[0] ?? 0) | BPM_FLAG_KPA;
        return out;
      }),
  }),
  faultFor(BloodPressureCuff, {
    name: 'bp-cuff-future-timestamps',
    device: 'bp-cuff',
    summary: `Measurement time stamps run ${YEARS_AHEAD} years ahead of the cuff's Current Time, even after it is set.`,
    violates: 'BLS v1.1.1 §3.1: the Time Stamp is when the measurement was taken, by the clock CTS sets.',
    apply: (cuff) =>
      rewrite(cuff, '2a35', (b) => {
        if (!((b[0] ?? 0) & BPM_FLAG_TIMESTAMP) || b.length < BPM_TIMESTAMP_OFFSET + 2) return b;
        const out = Uint8Array.from(b);
        const view = new DataView(out.buffer);
        view.setUint16(BPM_TIMESTAMP_OFFSET, view.getUint16(BPM_TIMESTAMP_OFFSET, true) + YEARS_AHEAD, true);
        return out;
      }),
  }),
  faultFor(Thermometer, {
    name: 'thermometer-nan-temperature',
    device: 'thermometer',
    summary: 'Temperature Measurement carries the IEEE 11073 FLOAT NaN (0x007FFFFF) instead of a value.',
    violates: 'HTS v1.0 §3.1: the mandatory Temperature field holds the measured temperature.',
    apply: (thermo) =>
      rewrite(thermo, '2a1c', (b) => {
        const out = Uint8Array.from(b);
        out.set(FLOAT_NAN, 1);
        return out;
      }),
  }),
  faultFor(PulseOximeter, {
    name: 'pulse-oximeter-racp-ignores-filter',
    device: 'pulse-oximeter',
    summary: 'RACP reports, counts and deletes every stored record whatever the operator and operand select.',
    violates:
      'PLXS v1.0.1 §3.5 with GSS RACP: a request acts only on the records its operator and operand select.',
    apply: (oximeter) => {
      oximeter.racp.ignoreFilter = true;
    },
  }),
  faultFor(Wristband, {
    name: 'wristband-stalls-mid-connection',
    device: 'wristband',
    summary:
      'After four ATT operations the band stops answering; the link then drops on supervision timeout.',
    violates:
      'Core v5.4 Vol 3 Part F §3.3.3: a server answers every request (a 30 s transaction timeout applies).',
    apply: (band) => band.stallAfter(4),
  }),
  faultFor(Wristband, {
    name: 'wristband-missing-hrm',
    device: 'wristband',
    summary: 'The Heart Rate Service lacks its Heart Rate Measurement characteristic.',
    violates: 'HRS v1.0 §3.1: Heart Rate Measurement (0x2A37) is mandatory.',
    apply: (band) => band.removeCharacteristic('180d', '2a37'),
  }),
];
