import type { SimPeripheral } from '../peripheral.js';

/** The kinds of simulated device, as named on the command line (`linkwell sim home --list`). */
export type DeviceKind = 'wristband' | 'bp-cuff' | 'scale' | 'pulse-oximeter' | 'thermometer' | 'mi-scale';

/**
 * A faulty variant breaks exactly one rule of a profile so certification tests can check that the
 * gateway notices. Selected by name; `apply` is called once, right after the device is built.
 */
export interface FaultVariant<D extends SimPeripheral = SimPeripheral> {
  /** kebab-case, unique across devices, e.g. `bp-cuff-notify-instead-of-indicate`. */
  readonly name: string;
  readonly device: DeviceKind;
  readonly summary: string;
  /** The rule it breaks, with its spec section. */
  readonly violates: string;
  apply(device: D): void;
}
