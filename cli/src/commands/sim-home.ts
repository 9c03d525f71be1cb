import {
  DEMO_HOME_DEVICES,
  type DeviceDescription,
  FAULTS,
  type PrivateBus,
  SimHome,
  type SimulatedBluez,
  startPrivateBus,
  startSimulatedBluez,
  systemClock,
} from '@linkwell/device-sim';
import type { Command } from 'commander';
import { pino } from 'pino';
import { CliError } from '../errors.js';
import { intOption } from './options.js';

interface HomeOptions {
  bluez?: boolean;
  list?: boolean;
  json?: boolean;
  seed: number;
  fault: string[];
  bus?: string;
  activity: boolean;
  logLevel: string;
}

function printList(devices: DeviceDescription[], json: boolean): void {
  if (json) {
    console.log(
      JSON.stringify(
        {
          devices,
          faults: FAULTS.map(({ name, device, summary, violates }) => ({ name, device, summary, violates })),
        },
        null,
        2,
      ),
    );
    return;
  }
  for (const d of devices) {
    console.log(`${d.address}  ${d.kind.padEnd(15)} "${d.name}"${d.fault ? `  [fault: ${d.fault}]` : ''}`);
    console.log(`    ${d.summary}`);
    console.log(
      `    services ${d.services.join(' ')}  ${d.connectable ? 'connectable' : 'advertising only'}  pairing: ${d.pairing}`,
    );
    for (const u of d.users ?? []) console.log(`    user ${u.index} (${u.name}): consent code ${u.consent}`);
  }
  console.log('\nFaulty variants (--fault <name>):');
  for (const f of FAULTS) console.log(`  ${f.name.padEnd(38)} ${f.summary}`);
}

/** `linkwell sim home`: the demo household, described or served on a simulated BlueZ. */
export function registerSimHome(sim: Command): void {
  sim
    .command('home')
    .description(
      'The simulated household: list its devices, or serve them on a simulated BlueZ that unmodified node-ble can use',
    )
    .option('--bluez', 'start a private dbus-daemon hosting a simulated BlueZ (org.bluez) with the devices')
    .option('--list', 'describe the devices, their pairing, users and the faulty variants, then exit')
    .option('--json', 'with --list: print JSON')
    .option('--seed <n>', 'physiology seed; the same seed replays the same frames', intOption, 42)
    .option(
      '--fault <name>',
      'break the first device of its kind as this faulty variant (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option(
      '--bus <address>',
      'use this D-Bus address (unix:path=…) instead of starting a private dbus-daemon',
    )
    .option('--no-activity', 'do not take cuff, scale, thermometer and oximeter measurements on a schedule')
    .option('--log-level <level>', 'pino level for the simulated BlueZ log on stderr', 'warn')
    .addHelpText(
      'after',
      '\nWith --bluez it prints one line DBUS_SYSTEM_BUS_ADDRESS=unix:path=… on stdout; export it and any\nBlueZ client (node-ble, bluetoothctl-style scripts) sees the home. Stop with Ctrl-C or SIGTERM.',
    )
    .action(async (o: HomeOptions) => {
      const home = new SimHome({
        clock: systemClock,
        seed: o.seed,
        devices: DEMO_HOME_DEVICES,
        faults: o.fault,
      });
      if (o.list || !o.bluez) {
        if (!o.list && !o.bluez)
          throw new CliError(
            'CLI_ERR_BAD_ARGUMENT',
            'choose --bluez to serve the home or --list to describe it',
          );
        printList(home.describe(), o.json === true);
        home.dispose();
        return;
      }
      await serveOnBluez(home, o);
    });
}

async function serveOnBluez(home: SimHome, o: HomeOptions): Promise<void> {
  const logger = pino({ level: o.logLevel, base: { svc: 'sim-bluez' } }, pino.destination(2));
  let bus: PrivateBus | undefined;
  let bluez: SimulatedBluez | undefined;
  const cleanup = async () => {
    home.dispose();
    await bluez?.stop().catch(() => {});
    await bus?.stop().catch(() => {});
  };
  const stop = () => void cleanup().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (!o.bus) bus = await startPrivateBus();
    const address = o.bus ?? bus!.address;
    bluez = await startSimulatedBluez({ busAddress: address, peripherals: home.peripherals, logger });
    if (o.activity) home.startActivity();
    console.log(`DBUS_SYSTEM_BUS_ADDRESS=${address}`);
    for (const d of home.describe())
      console.error(
        `${d.address}  ${d.kind.padEnd(15)} ${d.name}${d.pairing === 'none' ? '' : `  (pairing: ${d.pairing})`}`,
      );
    console.error('simulated BlueZ ready on hci0; Ctrl-C to stop');
  } catch (e) {
    await cleanup();
    throw e;
  }
}
