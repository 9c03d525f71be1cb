import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManualClock, Wristband } from '@linkwell/device-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWorld, type World } from './world.js';

const SCRIPT = fileURLToPath(new URL('../../../examples/node-ble-heart-rate.mjs', import.meta.url));
const BAND = 'D0:00:00:00:70:01';

interface Run {
  stdout: string[];
  stderr: string;
  exit: Promise<number | null>;
}

function run(world: World, args: string[]): Run {
  const child = spawn(process.execPath, [SCRIPT, ...args], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: world.daemon.address },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Run = {
    stdout: [],
    stderr: '',
    exit: new Promise((r) => child.once('exit', (code) => r(code))),
  };
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    out.stdout.push(...lines);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  return out;
}

describe('examples/node-ble-heart-rate.mjs against the simulated BlueZ', () => {
  let world: World;
  let clock: ManualClock;
  let band: Wristband;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    band = new Wristband({ address: BAND, seed: 99, clock });
    world = await startWorld([band]);
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function streamWhenSubscribed(seconds: number): Promise<number> {
    await eventually(
      'the script to subscribe',
      () => (band.connection?.cccd('180d', '2a37') === 'notify' ? true : undefined),
      15_000,
    );
    const before = band.sent.length;
    clock.advance(seconds * 1000);
    return before;
  }

  it('finds the wristband by name and prints 5 measurements as JSON lines, then exits 0', async () => {
    const script = run(world, ['Linkwell Band', '5', '15000']);
    const before = await streamWhenSubscribed(5);
    expect(await script.exit).toBe(0);
    const printed = script.stdout.map((l) => JSON.parse(l) as { address: string; bpm: number });
    expect(printed.map((p) => p.bpm)).toEqual(band.sent.slice(before, before + 5).map((s) => s.bpm));
    expect(new Set(printed.map((p) => p.address))).toEqual(new Set([BAND]));
    expect(script.stderr).toBe('');
    await eventually('the script to disconnect', () => (band.connection ? undefined : true));
  });

  it('finds the wristband by address and stops after 3 measurements', async () => {
    const script = run(world, [BAND.toLowerCase(), '3', '15000']);
    const before = await streamWhenSubscribed(10);
    expect(await script.exit).toBe(0);
    expect(script.stdout.map((l) => (JSON.parse(l) as { bpm: number }).bpm)).toEqual(
      band.sent.slice(before, before + 3).map((s) => s.bpm),
    );
  });

  it('exits 1 with a message when no device has the name', async () => {
    const script = run(world, ['No Such Band', '1', '500']);
    expect(await script.exit).toBe(1);
    expect(script.stderr).toContain('no device named "No Such Band"');
    expect(script.stdout).toEqual([]);
  });
});
