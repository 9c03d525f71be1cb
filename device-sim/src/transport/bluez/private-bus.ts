import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SimGattError } from '../../gatt/errors.js';

export interface PrivateBusOptions {
  /** Parent of the bus's temp dir (socket + config); the OS temp dir by default. */
  dir?: string;
  /** The dbus-daemon executable; found on PATH by default. */
  command?: string;
  startTimeoutMs?: number;
}

export interface PrivateBus {
  /** `unix:path=…/bus.sock`: give it to startSimulatedBluez and, as DBUS_SYSTEM_BUS_ADDRESS, to node-ble. */
  readonly address: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'install it with `apt-get install dbus-daemon` (Debian package dbus-daemon)';
const STOP_GRACE_MS = 3000;

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * A bus on which anyone may own any name, so the simulated bluetoothd can take org.bluez without root or
 * a system policy file. It listens on `unix:path=` because dbus-next cannot dial abstract sockets
 * without its optional native addon.
 */
export function privateBusConfig(socketPath: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=${escapeXml(socketPath)}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
`;
}

function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// A crashed or careless caller must not leave daemons behind; 'exit' handlers can only SIGKILL.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts a private `dbus-daemon` for the simulated BlueZ (the product CLI's launcher; tests use the
 * harness's equivalent). Resolves once the socket accepts connections.
 */
function onPath(command: string): string | undefined {
  if (command.includes('/')) return command;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {}
  }
  return undefined;
}

export async function startPrivateBus(opts: PrivateBusOptions = {}): Promise<PrivateBus> {
  const found = onPath(opts.command ?? 'dbus-daemon');
  if (!found)
    throw new SimGattError(
      'SIM_ERR_BUS_UNAVAILABLE',
      `${opts.command ?? 'dbus-daemon'} not found; ${INSTALL_HINT}`,
    );
  const dir = await mkdtemp(join(opts.dir ?? tmpdir(), 'linkwell-bus-'));
  const socketPath = join(dir, 'bus.sock');
  const configFile = join(dir, 'bus.conf');
  await writeFile(configFile, privateBusConfig(socketPath));
  const command = opts.command ?? 'dbus-daemon';
  const args = [`--config-file=${configFile}`, '--nofork', '--nopidfile', '--nosyslog', '--print-address'];
  // setpriv (util-linux) execs the daemon with a parent-death signal, so even a SIGKILLed parent leaves
  // no orphan bus behind; the pid stays the daemon's own.
  const setpriv = onPath('setpriv');
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', found, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(found, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (e) => resolve(e));
    child.once('exit', (code, signal) =>
      resolve(new Error(`exited (${signal ?? `code ${code}`}): ${stderr.trim()}`)),
    );
  });
  let exitError: Error | undefined;
  void exited.then((e) => {
    exitError = e;
    live.delete(child);
  });

  const stop = async () => {
    if (!exitError) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  while (!(await socketAccepts(socketPath))) {
    if (exitError || Date.now() > deadline) {
      await stop();
      const e = exitError as (Error & { code?: string }) | undefined;
      if (e?.code === 'ENOENT')
        throw new SimGattError('SIM_ERR_BUS_UNAVAILABLE', `${command} not found; ${INSTALL_HINT}`);
      throw new SimGattError(
        'SIM_ERR_BUS_UNAVAILABLE',
        e ? `${command} ${e.message}` : `${command} did not open ${socketPath} in time`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { address: `unix:path=${socketPath}`, pid: child.pid!, stop };
}
