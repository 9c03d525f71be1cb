import { SimGattError } from '../gatt/errors.js';
import type { SimPeripheral } from '../peripheral.js';
import { MiScale } from '../scales/mi-scale.js';
import { WeightScale } from '../scales/weight-scale.js';
import type { FaultVariant } from './types.js';

function scale(d: SimPeripheral): WeightScale {
  if (d instanceof WeightScale) return d;
  throw new SimGattError('SIM_ERR_INVALID_OPTION', `${d.address} is not a WeightScale`);
}

function miScale(d: SimPeripheral): MiScale {
  if (d instanceof MiScale) return d;
  throw new SimGattError('SIM_ERR_INVALID_OPTION', `${d.address} is not a MiScale`);
}

const IMPERIAL = 0x01;

/** Faulty scales, each breaking one rule a gateway has to notice or survive. */
export const SCALE_FAULTS: readonly FaultVariant[] = [
  {
    name: 'scale-forgets-bond',
    device: 'scale',
    summary:
      'Loses its bonds whenever a central connects (a battery swap wipes them); a bonded central is dropped with "pin or key missing".',
    violates: 'Core Vol 3 Part H §2.4.1: a bonded device keeps the LTK it distributed',
    apply: (d) => scale(d).forgetBonds(),
  },
  {
    name: 'scale-clock-never-set',
    device: 'scale',
    summary: 'Accepts Current Time writes but ignores them, so every time stamp stays in 2000.',
    violates: 'CTS v1.1 §3.1.2.1: a written Current Time sets the server clock, or is refused with 0x80',
    apply: (d) => {
      scale(d).lookup('1805', '2a2b').write = () => {};
    },
  },
  {
    // Imperial flag on SI values rather than a Time Stamp flag without the field: a missing field only makes
    // the frame undecodable (PROTO_ERR_TRUNCATED), while the wrong unit decodes into a plausible wrong weight
    // (70 kg reads as 140 lb = 63.5 kg), which only a unit-aware plausibility check catches.
    name: 'scale-wrong-flag-bits',
    device: 'scale',
    summary: 'Sets Weight Measurement flags bit 0 (imperial) while Weight and Height are still in SI steps.',
    violates: 'WSS v1.0 §3.2: flags bit 0 states the units of Weight and Height',
    apply: (d) =>
      scale(d).addFrameFilter((r) =>
        r.service === '181d' && r.characteristic === '2a9d' && r.bytes.length > 0
          ? Uint8Array.from(r.bytes, (b, i) => (i === 0 ? b | IMPERIAL : b))
          : r.bytes,
      ),
  },
  {
    name: 'scale-missing-weight-feature',
    device: 'scale',
    summary: 'Has no Weight Scale Feature characteristic, so time stamp, user and BMI support are unknown.',
    violates: 'WSS v1.0 §3.1: Weight Scale Feature (0x2A9E) is mandatory',
    apply: (d) => scale(d).removeCharacteristic('181d', '2a9e'),
  },
  {
    name: 'scale-bcm-notify-instead-of-indicate',
    device: 'scale',
    summary: 'Sends Body Composition Measurement as unconfirmed notifications, so history can be lost.',
    violates: 'BCS v1.0 §3.2: Body Composition Measurement is indicated',
    apply: (d) => scale(d).overrideProperties('181b', '2a9c', ['notify']),
  },
  {
    name: 'mi-scale-never-stabilizes',
    device: 'mi-scale',
    summary:
      'Never sets the stabilized bit, so every frame is a live, unsettled weight and none is a reading.',
    violates:
      'Xiaomi service data (no SIG spec; openScale, xiaomi-ble): control bit "stabilized" marks the final weight',
    apply: (d) => miScale(d).neverStabilizes(),
  },
];
