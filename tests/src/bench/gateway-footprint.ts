import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startMosquitto } from '../harness/index.js';
import { cpuSecondsOf } from './fleet-proc.js';

export interface FootprintResult {
  devices: number;
  window_s: number;
  /** Readings that reached the broker during the window (expected: devices × window). */
  readings_relayed: number;
  gateway_rss_mb: number;
  gateway_peak_rss_mb: number;
  gateway_cpu_percent_of_one_core: number;
  /** Baseline from the same session: a bare Node process that only keeps a timer alive. */
  bare_node_rss_mb: number;
  bare_node_cpu_percent_of_one_core: number;
}

const rssMb = (pid: number, field: 'VmRSS' | 'VmHWM') => {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  )?.[1];
  return Math.round((Number(kb) / 1024) * 10) / 10;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sample(pid: number, windowS: number) {
  const cpu0 = cpuSecondsOf(pid);
  const t0 = performance.now();
  await sleep(windowS * 1000);
  const cpu = cpuSecondsOf(pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  return {
    cpuPercent: Math.round((cpu / wall) * 1000) / 10,
    rss: rssMb(pid, 'VmRSS'),
    peak: rssMb(pid, 'VmHWM'),
  };
}

/**
 * RSS and CPU of a gateway relaying `devices` wristbands at 1 Hz, against a bare Node process measured the
 * same way in the same session. The gateway runs in its own process so /proc isolates its cost.
 */
export async function runGatewayFootprint(
  opts: { devices: number; warmupS: number; windowS: number },
  log: (s: string) => void,
): Promise<FootprintResult> {
  const broker = await startMosquitto();
  const sub = await mqtt.connectAsync(broker.url);
  let relayed = 0;
  let counting = false;
  sub.on('message', (_t, payload) => {
    if (counting) relayed += (JSON.parse(payload.toString()) as { readings: unknown[] }).readings.length;
  });
  await sub.subscribeAsync('lw/v1/gw/+/readings', { qos: 1 });
  const child = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./gateway-footprint-child.js', import.meta.url)),
      broker.url,
      String(opts.devices),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`gateway child exited with ${code}`)));
    });
    log(`gateway streaming ${opts.devices} devices at 1 Hz; warming up ${opts.warmupS} s`);
    await sleep(opts.warmupS * 1000);
    counting = true;
    log(`sampling for ${opts.windowS} s`);
    const [gw, node] = await Promise.all([sample(child.pid!, opts.windowS), sample(bare.pid!, opts.windowS)]);
    counting = false;
    return {
      devices: opts.devices,
      window_s: opts.windowS,
      readings_relayed: relayed,
      gateway_rss_mb: gw.rss,
      gateway_peak_rss_mb: gw.peak,
      gateway_cpu_percent_of_one_core: gw.cpuPercent,
      bare_node_rss_mb: node.rss,
      bare_node_cpu_percent_of_one_core: node.cpuPercent,
    };
  } finally {
    child.kill('SIGTERM');
    bare.kill('SIGKILL');
    await sub.endAsync();
    await broker.stop();
  }
}
