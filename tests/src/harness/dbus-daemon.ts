import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * A private bus that lets anyone own any name and talk to anyone, so a fake org.bluez can be exported
 * without touching the system bus policy.
 */
export function dbusConfig(socketPath: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <!-- unix:path, not the session default unix:abstract, which dbus-next cannot dial without usocket. -->
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
