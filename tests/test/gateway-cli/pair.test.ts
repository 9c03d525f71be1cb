import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SimHome, type SimulatedBluez, startSimulatedBluez, systemClock } from '@linkwell/device-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDbusDaemon, startDbusDaemon } from '../../src/harness/index.js';

const CLI = resolve(fileURLToPath(import.meta.url), '../../../../cli/bin/linkwell.js');
const run = promisify(execFile);
const CUFF = 'D0:00:00:00:00:02';
const PASSKEY_SCALE = 'D0:00:00:00:50:01';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `linkwell gateway pair …` with stdin a pipe (not a terminal), as in a script. */
async function pair(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'gateway', 'pair', ...args], {
      env,
      timeout: 45_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const FOUND_CUFF = `found ${CUFF}  Linkwell Cuff  services 1810  → sig.blood-pressure (Bluetooth SIG Blood Pressure Service)`;

describe('linkwell gateway pair over the sim transport', () => {
  it('shows what it found, pairs with --yes and prints the result', async () => {
    const r = await pair([CUFF.toLowerCase(), '--transport', 'sim', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      FOUND_CUFF,
      `paired ${CUFF}: bonded (just works), profile sig.blood-pressure`,
    ]);
  });

  it('refuses with CLI_ERR_NOT_CONFIRMED without --yes when stdin is not a terminal, after showing the device', async () => {
    const r = await pair([CUFF, '--transport', 'sim']);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(FOUND_CUFF);
    expect(r.stderr).toMatch(/^CLI_ERR_NOT_CONFIRMED: stdin is not a terminal; pass --yes/m);
    expect(r.stdout).not.toContain('paired');
  });

  it('fails with GATEWAY_ERR_BLE_NOT_FOUND for an address nobody advertises', async () => {
    const r = await pair(['D0:00:00:00:09:99', '--transport', 'sim', '--yes', '--scan', '200']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^GATEWAY_ERR_BLE_NOT_FOUND: D0:00:00:00:09:99 was not heard advertising within 200 ms$/m,
    );
  });

  it('rejects a five-digit passkey and a malformed address with CLI_ERR_BAD_ARGUMENT', async () => {
    expect((await pair([CUFF, '--transport', 'sim', '--passkey', '12345'])).stderr).toMatch(
      /^CLI_ERR_BAD_ARGUMENT: --passkey takes exactly six digits$/m,
    );
    expect((await pair(['D0:00', '--transport', 'sim'])).stderr).toMatch(
      /^CLI_ERR_BAD_ARGUMENT: D0:00 is not/m,
    );
  });

  it('documents its options in --help', async () => {
    const r = await pair(['--help']);
    expect(r.code).toBe(0);
    for (const option of ['<address>', '--transport <kind>', '--passkey <digits>', '--yes', '--scan <ms>'])
      expect(r.stdout).toContain(option);
  });
});

describe('linkwell gateway pair over node-ble, against the simulated BlueZ, with a passkey scale', () => {
  let bus: RunningDbusDaemon;
  let bluez: SimulatedBluez;
  let home: SimHome;
  const env = () => ({ ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address });

  beforeAll(async () => {
    bus = await startDbusDaemon();
    home = new SimHome({
      clock: systemClock,
      seed: 4,
      devices: [{ kind: 'scale', address: PASSKEY_SCALE, options: { passkey: '314159' } }],
    });
    bluez = await startSimulatedBluez({ busAddress: bus.address, peripherals: home.peripherals });
  });

  afterAll(async () => {
    home?.dispose();
    await bluez?.stop();
    await bus?.stop();
  });

  it('fails with CLI_ERR_PASSKEY_REQUIRED when the scale asks and there is neither --passkey nor a terminal', async () => {
    const r = await pair([PASSKEY_SCALE, '--transport', 'node-ble', '--yes', '--scan', '1500'], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^CLI_ERR_PASSKEY_REQUIRED: D0:00:00:00:50:01 asked for a passkey/m);
    expect(home.peripherals[0]!.hasBond(bluez.adapterAddress)).toBe(false);
  });

  it('bonds with --passkey 314159 through the gateway agent', async () => {
    const r = await pair(
      [PASSKEY_SCALE, '--transport', 'node-ble', '--yes', '--scan', '1500', '--passkey', '314159'],
      env(),
    );
    expect(r.stderr).not.toMatch(/_ERR_/);
    const [found, paired] = r.stdout.split('\n');
    // BlueZ lists the services it resolved on the earlier attempt's link along with the advertised ones.
    expect(found).toMatch(
      /^found D0:00:00:00:50:01 {2}Linkwell Scale {2}services (\w{4},)*181d(,\w{4})* {2}→ sig\.weight-scale /,
    );
    expect(paired).toBe(`paired ${PASSKEY_SCALE}: bonded with a passkey, profile sig.weight-scale`);
    expect(home.peripherals[0]!.hasBond(bluez.adapterAddress)).toBe(true);
  });
});
