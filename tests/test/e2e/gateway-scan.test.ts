import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  DEMO_HOME_DEVICES,
  SimHome,
  type SimulatedBluez,
  startSimulatedBluez,
  systemClock,
} from '@linkwell/device-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDbusDaemon, startDbusDaemon } from '../../src/harness/index.js';

const CLI = resolve(fileURLToPath(import.meta.url), '../../../../cli/bin/linkwell.js');
const run = promisify(execFile);

const EXPECTED = [
  ['D0:00:00:00:00:01', 'sig.heart-rate'],
  ['D0:00:00:00:00:02', 'sig.blood-pressure'],
  ['D0:00:00:00:00:03', 'sig.weight-scale'],
  ['D0:00:00:00:00:04', 'sig.pulse-oximeter'],
  ['D0:00:00:00:00:05', 'sig.health-thermometer'],
  ['D0:00:00:00:00:06', 'xiaomi.mi-body-composition-scale'],
];

async function scan(transport: string, env: NodeJS.ProcessEnv = process.env) {
  const { stdout } = await run(
    process.execPath,
    [CLI, 'gateway', 'scan', '--transport', transport, '--duration', '1500', '--json'],
    { env, timeout: 30_000 },
  );
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { address: string; profile: string | null })
    .map((r) => [r.address, r.profile])
    .sort();
}

/** `linkwell gateway scan` finds the demo household and matches each device to its profile, on every stack. */
describe('linkwell gateway scan', () => {
  let bus: RunningDbusDaemon;
  let bluez: SimulatedBluez;
  let home: SimHome;

  beforeAll(async () => {
    bus = await startDbusDaemon();
    home = new SimHome({ clock: systemClock, seed: 3, devices: DEMO_HOME_DEVICES });
    bluez = await startSimulatedBluez({ busAddress: bus.address, peripherals: home.peripherals });
  });

  afterAll(async () => {
    home?.dispose();
    await bluez?.stop();
    await bus?.stop();
  });

  it.each(['sim', 'noble'])('over %s', async (transport) => {
    expect(await scan(transport)).toEqual(EXPECTED);
  });

  it('over node-ble, against the simulated BlueZ named by DBUS_SYSTEM_BUS_ADDRESS', async () => {
    expect(await scan('node-ble', { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address })).toEqual(
      EXPECTED,
    );
  });

  it('fails with GATEWAY_ERR_BLE_UNAVAILABLE when there is no BlueZ on the bus', async () => {
    const err = await run(process.execPath, [CLI, 'gateway', 'scan', '--transport', 'node-ble'], {
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/bus.sock' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/^GATEWAY_ERR_BLE_UNAVAILABLE: /m);
  });
});
