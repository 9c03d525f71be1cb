import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startMosquitto } from '../harness/index.js';
import { cpuSecondsOf } from './fleet-proc.js';

/**
 * The Node flags docs/benchmarks.md recommends for a gateway on a small board, given on the `node` command
 * line of its service (NODE_OPTIONS does not accept the V8 flags `--no-opt` and `--no-sparkplug`): a young
 * generation of 1 MB per semi-space instead of one that grows to 16 MB, one V8 background thread instead of
 * four, and bytecode interpreted without the baseline (Sparkplug) and optimising (TurboFan) compilers, whose
 * code and working memory a gateway relaying a few readings per second does not need. Unlike `--jitless`,
 * this keeps WebAssembly, which `fetch` (the token refresh) needs.
 */
export const SMALL_BOARD_NODE_FLAGS = [
  '--max-semi-space-size=1',
  '--v8-pool-size=1',
  '--no-opt',
  '--no-sparkplug',
];

export interface ProcessFootprint {
  rss_mb: number;
  /** VmHWM: the most the process has been resident since it started, start-up included. */
  peak_rss_mb: number;
  cpu_percent_of_one_core: number;
}

export interface GatewayFootprint extends ProcessFootprint {
  /** Readings that reached the broker during the window (expected: devices × window). */
  readings_relayed: number;
}

export interface FootprintResult {
  devices: number;
  window_s: number;
  small_board_node_flags: string;
  /** The gateway with Node's default options. */
  gateway: GatewayFootprint;
  /** The same gateway with SMALL_BOARD_NODE_FLAGS. */
  gateway_small_board: GatewayFootprint;
  /** Baselines from the same session: a bare Node process that only keeps a timer alive. */
  bare_node: ProcessFootprint;
  bare_node_small_board: ProcessFootprint;
}

const rssMb = (pid: number, field: 'VmRSS' | 'VmHWM') => {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  )?.[1];
  return Math.round((Number(kb) / 1024) * 10) / 10;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sample(pid: number, windowS: number): Promise<ProcessFootprint> {
  const cpu0 = cpuSecondsOf(pid);
  const t0 = performance.now();
  await sleep(windowS * 1000);
  const cpu = cpuSecondsOf(pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  return {
    rss_mb: rssMb(pid, 'VmRSS'),
    peak_rss_mb: rssMb(pid, 'VmHWM'),
    cpu_percent_of_one_core: Math.round((cpu / wall) * 1000) / 10,
  };
}

function startGateway(nodeFlags: string[], brokerUrl: string, devices: number, gatewayId: string) {
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      fileURLToPath(new URL('./gateway-footprint-child.js', import.meta.url)),
      brokerUrl,
      String(devices),
      gatewayId,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`gateway child ${gatewayId} exited with ${code}`)));
  });
  return { child, ready };
}

function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => c.kill('SIGKILL'), 5000);
    c.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

const bareNode = (nodeFlags: string[]) =>
  spawn(process.execPath, [...nodeFlags, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

/**
 * RSS and CPU of a gateway relaying `devices` wristbands at 1 Hz, with Node's default options and with
 * SMALL_BOARD_NODE_FLAGS, against bare Node processes with the same options, all measured over the same
 * window. Each gateway runs in its own process so /proc isolates its cost.
 */
export async function runGatewayFootprint(
  opts: { devices: number; warmupS: number; windowS: number },
  log: (s: string) => void,
): Promise<FootprintResult> {
  const broker = await startMosquitto();
  const sub = await mqtt.connectAsync(broker.url);
  const relayed = new Map<string, number>();
  let counting = false;
  sub.on('message', (topic, payload) => {
    if (!counting) return;
    const gw = topic.split('/')[3]!;
    const n = (JSON.parse(payload.toString()) as { readings: unknown[] }).readings.length;
    relayed.set(gw, (relayed.get(gw) ?? 0) + n);
  });
  await sub.subscribeAsync('lw/v1/gw/+/readings', { qos: 1 });
  const children: ChildProcess[] = [];
  try {
    const plain = startGateway([], broker.url, opts.devices, 'gw_bench');
    const small = startGateway(SMALL_BOARD_NODE_FLAGS, broker.url, opts.devices, 'gw_bench_small');
    children.push(plain.child, small.child);
    const bare = bareNode([]);
    const bareSmall = bareNode(SMALL_BOARD_NODE_FLAGS);
    children.push(bare, bareSmall);
    await Promise.all([plain.ready, small.ready]);
    log(`2 gateways streaming ${opts.devices} devices each at 1 Hz; warming up ${opts.warmupS} s`);
    await sleep(opts.warmupS * 1000);
    counting = true;
    log(`sampling for ${opts.windowS} s`);
    const [gw, gwSmall, node, nodeSmall] = await Promise.all(
      [plain.child, small.child, bare, bareSmall].map((c) => sample(c.pid!, opts.windowS)),
    );
    counting = false;
    return {
      devices: opts.devices,
      window_s: opts.windowS,
      small_board_node_flags: SMALL_BOARD_NODE_FLAGS.join(' '),
      gateway: { readings_relayed: relayed.get('gw_bench') ?? 0, ...gw! },
      gateway_small_board: { readings_relayed: relayed.get('gw_bench_small') ?? 0, ...gwSmall! },
      bare_node: node!,
      bare_node_small_board: nodeSmall!,
    };
  } finally {
    // The gateways stop cleanly (and remove their outbox directories) while the broker is still up.
    await Promise.all(children.map(stop));
    await sub.endAsync();
    await broker.stop();
  }
}
