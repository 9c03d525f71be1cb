import { DEMO_HOME } from '@linkwell/api';
import { InMemoryRadio, ManualClock, Wristband } from '@linkwell/device-sim';
import { toHex } from '@linkwell/firmware-protocol';
import type { Command } from 'commander';
import { intOption } from './options.js';
import { registerSimFleet } from './sim-fleet.js';
import { registerSimHome } from './sim-home.js';

export function registerSim(program: Command): void {
  const sim = program
    .command('sim')
    .description('Simulated devices: the household over BlueZ, and fleets for load tests');

  sim
    .command('frames')
    .description('Print the Heart Rate Measurement frames a simulated wristband would send, as hex')
    .option('--seed <n>', 'physiology seed', intOption, 42)
    .option('--count <n>', 'number of frames', intOption, 10)
    .action(async (o: { seed: number; count: number }) => {
      const clock = new ManualClock(Date.now());
      const band = new Wristband({ address: DEMO_HOME.devices.wristband.address, seed: o.seed, clock });
      const link = await new InMemoryRadio().add(band).connect(band.address);
      await link.subscribe('180d', '2a37', () => {});
      clock.advance(o.count * 1000);
      for (const s of band.sent)
        console.log(`${new Date(s.at).toISOString()}  ${s.bpm} bpm  ${toHex(s.frame)}`);
      band.dispose();
    });

  registerSimHome(sim);
  registerSimFleet(sim);
}
