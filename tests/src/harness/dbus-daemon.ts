import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { privateBusConfig } from '@linkwell/device-sim';
import { type BinaryLookup, findBinary } from './binaries.js';
import { launch, type RunningServer } from './managed-process.js';
import { unixSocketAccepts } from './probes.js';

export interface DbusDaemonOptions extends BinaryLookup {
  readonly startTimeoutMs?: number;
}

export interface RunningDbusDaemon extends RunningServer {
  /** e.g. unix:path=/tmp/linkwell-dbus-daemon-XXXXXX/bus.sock — pass to dbus-next or DBUS_SYSTEM_BUS_ADDRESS. */
  readonly address: string;
}

/** The product's private-bus config (device-sim), so tests run the bus exactly as `sim home --bluez` does. */
export const dbusConfig = privateBusConfig;

export async function startDbusDaemon(opts: DbusDaemonOptions = {}): Promise<RunningDbusDaemon> {
  const dbusDaemon = await findBinary('dbus-daemon', opts);
  let socketPath = '';

  const server = await launch({
    name: 'dbus-daemon',
    startTimeoutMs: opts.startTimeoutMs,
    async prepare(dataDir) {
      socketPath = join(dataDir, 'bus.sock');
      const configFile = join(dataDir, 'bus.conf');
      await writeFile(configFile, dbusConfig(socketPath));
      return {
        process: {
          command: dbusDaemon,
          // --nofork keeps the daemon our direct child, so stop() signals the real pid.
          args: [`--config-file=${configFile}`, '--nofork', '--nopidfile', '--nosyslog', '--print-address'],
        },
        ready: (signal) => unixSocketAccepts(socketPath, signal),
      };
    },
  });
  return { ...server, address: `unix:path=${socketPath}` };
}
