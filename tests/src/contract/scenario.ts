import type { BloodPressureCuff, ManualClock, Wristband } from '@linkwell/device-sim';
import type { BleCentral, BleLink } from '@linkwell/firmware-protocol';

/** Polls until `check` holds, so real stacks (D-Bus round trips, noble's event loop) can catch up. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
