import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BrokerJob } from './fleet-broker.js';

export interface FleetBrokerChild {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts fleet-broker.js (ingest with a seeded PGlite registry) in a child process; resolves once it listens.
 * `nodeArgs` go to node before the script, e.g. `--cpu-prof` (the profile is written when the child exits).
 */
export async function startFleetBroker(job: BrokerJob, nodeArgs: string[] = []): Promise<FleetBrokerChild> {
  const script = fileURLToPath(new URL('./fleet-broker.js', import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, script, JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`fleet broker exited with ${code} before it listened`);
  });
  const lines = createInterface({ input: child.stdout });
  const first = once(lines, 'line').then(([line]) => JSON.parse(line as string) as { mqttUrl: string });
  const { mqttUrl } = await Promise.race([first, exited]);
  exited.catch(() => {});
  return {
    url: mqttUrl,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = once(child, 'exit');
      child.stdin.end(); // the child closes ingest and exits when its stdin ends
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(killer);
    },
  };
}
