import type { BloodPressureCuff, ManualClock, Wristband } from '@linkwell/device-sim';
import type { BleCentral, BleLink } from '@linkwell/firmware-protocol';
import { eventually } from '../wait.js';

export { eventually };

export async function collect(
  link: BleLink,
  service: string,
  characteristic: string,
): Promise<{ values: Uint8Array[]; stop: () => Promise<void> }> {
  const values: Uint8Array[] = [];
  const stop = await link.subscribe(service, characteristic, (v) => values.push(v));
  return { values, stop };
}

export const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);

export interface ContractWorld {
  central: BleCentral;
  clock: ManualClock;
  wristband: Wristband;
  cuff: BloodPressureCuff;
}
