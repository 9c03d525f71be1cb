import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimHome, startSimulatedBluez, systemClock } from '@linkwell/device-sim';
import mqtt from 'mqtt';
import { startDbusDaemon, startMosquitto } from '../harness/index.js';
import { cpuSecondsOf } from './fleet-proc.js';

/** The gateway's service entry point, whose shebang starts Node with the small-board flags. */
export const GATEWAY_BIN = fileURLToPath(new URL('../../../cli/bin/linkwell-gateway.js', import.meta.url));

/**
 * The small-board flags, read from GATEWAY_BIN's shebang (`#!/usr/bin/env -S node <flags>`) so that the
 * benchmark measures what the product runs (docs/benchmarks.md explains each flag).
 */
export function smallBoardNodeFlags(): string[] {
  const shebang = readFileSync(GATEWAY_BIN, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\/usr\/bin\/env -S node((?: --[a-z0-9-]+(?:=\S+)?)*)$/.exec(shebang);
  if (!m) throw new Error(`${GATEWAY_BIN}: unexpected shebang ${shebang}`);
  return m[1]!.trim().split(' ').filter(Boolean);
}

export interface ProcessFootprint {
  /** VmRSS sampled once a second over the window: the median, and the highest sample. */
  rss_mb: number;
  rss_max_in_window_mb: number;
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
  /** The gateway with Node's default options, devices on the in-memory radio. */
  gateway: GatewayFootprint;
  /** The same gateway with the small-board flags. */
  gateway_small_board: GatewayFootprint;
  /**
   * `linkwell-gateway run --transport node-ble` as its shebang starts it, with the devices outside the
   * process behind a simulated BlueZ on a private dbus-daemon: the deployed shape.
   */
  gateway_node_ble: GatewayFootprint;
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
  // RSS moves with the garbage collector's cycle, so one reading at the end could land anywhere in it.
  const rss: number[] = [];
  for (let s = 0; s < windowS; s++) {
    await sleep(1000);
    rss.push(rssMb(pid, 'VmRSS'));
  }
  const cpu = cpuSecondsOf(pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  rss.sort((a, b) => a - b);
  return {
    rss_mb: rss[Math.floor(rss.length / 2)]!,
    rss_max_in_window_mb: rss.at(-1)!,
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

/**
 * The deployed shape: the real `linkwell-gateway run --transport node-ble`, started by its shebang, and
 * `devices` wristbands outside it behind a simulated BlueZ on a private dbus-daemon.
 */
async function startNodeBleGateway(brokerUrl: string, devices: number, gatewayId: string, dir: string) {
  const bus = await startDbusDaemon();
  const home = new SimHome({ clock: systemClock, seed: 2, devices: wristbands(devices, 2) });
  const bluez = await startSimulatedBluez({ busAddress: bus.address, peripherals: home.peripherals });
  // Mosquitto here lets anyone in; the token only has to name the gateway (its `sub`).
  const claims = Buffer.from(JSON.stringify({ sub: gatewayId })).toString('base64url');
  await writeFile(join(dir, 'token'), `bench.${claims}.unsigned`);
  const child = spawn(
    GATEWAY_BIN,
    ['run', '--transport', 'node-ble', '--mqtt', brokerUrl, '--token-file', join(dir, 'token')].concat([
      '--outbox-dir',
      join(dir, 'outbox'),
      '--state-dir',
      join(dir, 'state'),
    ]),
    { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return {
    child,
    async close() {
      await stop(child);
      await bluez.stop();
      home.dispose();
      await bus.stop();
    },
  };
}

const wristbands = (n: number, block: number) =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'wristband' as const,
    address: `D0:00:00:00:0${block}:${i.toString(16).padStart(2, '0').toUpperCase()}`,
  }));

const bareNode = (nodeFlags: string[]) =>
  spawn(process.execPath, [...nodeFlags, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

/**
 * RSS and CPU of a gateway relaying `devices` wristbands at 1 Hz, with Node's default options and with
 * the small-board flags, and `linkwell-gateway` on node-ble (gateway_node_ble), against bare Node processes with the same options, all measured over the same
 * window. Each gateway runs in its own process so /proc isolates its cost.
 */
export async function runGatewayFootprint(
  opts: { devices: number; warmupS: number; windowS: number },
  log: (s: string) => void,
): Promise<FootprintResult> {
  const broker = await startMosquitto();
  const sub = await mqtt.connectAsync(broker.url);
  const relayed = new Map<string, number>();
  /** Newest envelope per gateway and device: when every device of a gateway was last heard from. */
  const lastHeard = new Map<string, Map<string, number>>();
  let counting = false;
  sub.on('message', (topic, payload) => {
    const gw = topic.split('/')[3]!;
    const readings = (JSON.parse(payload.toString()) as { readings: { device: string }[] }).readings;
    const heard = lastHeard.get(gw) ?? new Map<string, number>();
    lastHeard.set(gw, heard);
    for (const r of readings) heard.set(r.device, Date.now());
    if (counting) relayed.set(gw, (relayed.get(gw) ?? 0) + readings.length);
  });
  /** Resolves once every device of every gateway has been heard from in the last 2 s. */
  const allStreaming = async (gws: string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    const streaming = (gw: string) =>
      [...(lastHeard.get(gw)?.values() ?? [])].filter((t) => Date.now() - t < 2000).length >= opts.devices;
    while (!gws.every(streaming)) {
      if (Date.now() > deadline)
        throw new Error(`not every gateway streams ${opts.devices} devices after ${timeoutMs} ms`);
      await sleep(250);
    }
  };
  await sub.subscribeAsync('lw/v1/gw/+/readings', { qos: 1 });
  const children: ChildProcess[] = [];
  const flags = smallBoardNodeFlags();
  const dir = await mkdtemp(join(tmpdir(), 'lw-footprint-'));
  let nodeBle: Awaited<ReturnType<typeof startNodeBleGateway>> | undefined;
  try {
    const plain = startGateway([], broker.url, opts.devices, 'gw_bench');
    const small = startGateway(flags, broker.url, opts.devices, 'gw_bench_small');
    children.push(plain.child, small.child);
    nodeBle = await startNodeBleGateway(broker.url, opts.devices, 'gw_bench_bluez', dir);
    const bare = bareNode([]);
    const bareSmall = bareNode(flags);
    children.push(bare, bareSmall);
    await Promise.all([plain.ready, small.ready]);
    // The node-ble gateway connects its devices one by one over D-Bus; the warm-up starts once all stream.
    await allStreaming(['gw_bench', 'gw_bench_small', 'gw_bench_bluez'], 60_000);
    log(`3 gateways streaming ${opts.devices} devices each at 1 Hz; warming up ${opts.warmupS} s`);
    await sleep(opts.warmupS * 1000);
    counting = true;
    log(`sampling for ${opts.windowS} s`);
    const [gw, gwSmall, gwBle, node, nodeSmall] = await Promise.all(
      [plain.child, small.child, nodeBle.child, bare, bareSmall].map((c) => sample(c.pid!, opts.windowS)),
    );
    counting = false;
    return {
      devices: opts.devices,
      window_s: opts.windowS,
      small_board_node_flags: flags.join(' '),
      gateway: { readings_relayed: relayed.get('gw_bench') ?? 0, ...gw! },
      gateway_small_board: { readings_relayed: relayed.get('gw_bench_small') ?? 0, ...gwSmall! },
      gateway_node_ble: { readings_relayed: relayed.get('gw_bench_bluez') ?? 0, ...gwBle! },
      bare_node: node!,
      bare_node_small_board: nodeSmall!,
    };
  } finally {
    // The gateways stop cleanly (and remove their outbox directories) while the broker is still up.
    await Promise.all(children.map(stop));
    await nodeBle?.close();
    await rm(dir, { recursive: true, force: true });
    await sub.endAsync();
    await broker.stop();
  }
}
