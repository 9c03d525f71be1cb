import type { Clock } from './clock.js';
import { BpCuff, SmartScale } from './devices/idle-devices.js';
import { Wristband } from './devices/wristband.js';
import { InMemoryRadio } from './transport/in-memory.js';

export interface SimulatedHomeOptions {
  clock: Clock;
  seed: number;
  addresses: { wristband: string; bpCuff: string; scale: string };
  wristbandIntervalMs?: number;
}

/** The demo household: a wristband that streams, plus a BP cuff and a scale on the same radio. */
export function createSimulatedHome(opts: SimulatedHomeOptions) {
  const wristband = new Wristband({
    address: opts.addresses.wristband,
    seed: opts.seed,
    clock: opts.clock,
    ...(opts.wristbandIntervalMs ? { intervalMs: opts.wristbandIntervalMs } : {}),
  });
  const bpCuff = new BpCuff({ address: opts.addresses.bpCuff, clock: opts.clock });
  const scale = new SmartScale({ address: opts.addresses.scale, clock: opts.clock });
  const radio = new InMemoryRadio().add(wristband).add(bpCuff).add(scale);
  return { radio, wristband, bpCuff, scale };
}
