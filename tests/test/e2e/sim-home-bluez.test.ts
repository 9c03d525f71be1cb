import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeHeartRateMeasurement, fromHex } from '@linkwell/firmware-protocol';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const CLI = resolve(ROOT, 'cli/bin/linkwell.js');
const EXAMPLE = resolve(ROOT, 'examples/node-ble-heart-rate.mjs');
const run = promisify(execFile);

const accepts = (socket: string) =>
  new Promise<boolean>((r) => {
    const c = connect(socket);
    c.once('connect', () => {
      c.destroy();
      r(true);
    });
    c.once('error', () => r(false));
  });

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  );

/**
 * The acceptance: `linkwell sim home --bluez` from the CLI, and a node-ble script written only
 * against BlueZ's documented API finds the devices, connects to the wristband and gets Heart Rate
 * Measurement notifications.
 */
describe('linkwell sim home --bluez', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('serves the home on a private bus that unmodified node-ble uses, and cleans up on SIGTERM', async () => {
    child = spawn(process.execPath, [CLI, 'sim', 'home', '--bluez', '--seed', '7'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const deadline = Date.now() + 20_000;
    while (!/DBUS_SYSTEM_BUS_ADDRESS=\S+\n/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`sim home did not print its bus address; stderr:\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const address = /DBUS_SYSTEM_BUS_ADDRESS=(\S+)/.exec(out)![1]!;
    expect(address).toMatch(/^unix:path=\//);
    const socket = address.slice('unix:path='.length);
    expect(existsSync(socket)).toBe(true);

    const { stdout } = await run(process.execPath, [EXAMPLE, 'D0:00:00:00:00:01', '5'], {
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address },
      timeout: 30_000,
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { bpm: number; hex?: string });
    expect(lines).toHaveLength(5);
    for (const l of lines) {
      expect(l.bpm).toBeGreaterThanOrEqual(35);
      expect(l.bpm).toBeLessThanOrEqual(220);
      if (l.hex) expect(decodeHeartRateMeasurement(fromHex(l.hex)!).heartRateBpm).toBe(l.bpm);
    }

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(socket)).toBe(false);
  }, 60_000);

  it('leaves no bus behind when it is killed with SIGKILL', async () => {
    const victim = spawn(process.execPath, [CLI, 'sim', 'home', '--bluez'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    victim.stdout!.on('data', (d) => (out += d));
    const deadline = Date.now() + 20_000;
    while (!/DBUS_SYSTEM_BUS_ADDRESS=\S+\n/.test(out) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const socket = /DBUS_SYSTEM_BUS_ADDRESS=unix:path=(\S+)/.exec(out)![1]!;
    expect(await accepts(socket)).toBe(true);
    victim.kill('SIGKILL');
    await exited(victim);
    const until = Date.now() + 5000;
    while ((await accepts(socket)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await accepts(socket)).toBe(false);
  }, 40_000);

  it('lists the household and the faulty variants', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'sim', 'home', '--list', '--json']);
    const list = JSON.parse(stdout) as { devices: { kind: string }[]; faults: { name: string }[] };
    expect(list.devices.map((d) => d.kind)).toEqual([
      'wristband',
      'bp-cuff',
      'scale',
      'pulse-oximeter',
      'thermometer',
      'mi-scale',
    ]);
    expect(list.faults.map((f) => f.name)).toContain('scale-forgets-bond');
  });

  it('refuses an unknown fault with its code and exit 1', async () => {
    const err = await run(process.execPath, [CLI, 'sim', 'home', '--bluez', '--fault', 'nope']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/^SIM_ERR_UNKNOWN_FAULT: /);
  });
});
