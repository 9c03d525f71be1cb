import { join } from 'node:path';
import { type FleetCredentials, type FleetReport, runFleet } from '@linkwell/device-sim';
import { monotonicUs, type ProfileSummary, summariseNewestProfile } from './cpu-profile.js';
import { startFleetBroker } from './fleet-broker-child.js';
import { type CpuSample, cpuWindow, rssMbOf } from './fleet-proc.js';
import { countPoints } from './influx-ceiling.js';
import { startNaivePipeline } from './naive-pipeline-child.js';

/** What every bench:ingest scenario runs against. */
export interface ScenarioContext {
  influx: { url: string; pid: number };
  registryUrl: string;
  publicKeyPem: string;
  credentials: FleetCredentials;
  /** Scratch directory for ingest's data dirs. */
  work: string;
  gateways: number;
  durationS: number;
  log: (line: string) => void;
  /** A reading clock for each fleet run; see `clockFor`. */
  nextClock: () => () => number;
  /** Node options for every ingest child. */
  ingestNodeArgs: string[];
}

export interface ScenarioResult {
  gateways: number;
  readingsPerMessage: number;
  inflightPerConnection: number;
  messagesPerSecond: number;
  readingsPerSecond: number;
  elapsedS: number;
  /** Readings acknowledged (warm-up included), stored in InfluxDB, and the difference either way. */
  acknowledgedReadings: number;
  stored: number;
  lost: number;
  duplicates: number;
  ackLatencyMs: FleetReport['ackLatencyMs'];
  errors: Record<string, number>;
  /** CPU seconds per wall second of each process, the machine, and what the named ones do not explain. */
  cores: Record<string, number>;
  /** CPU microseconds per stored reading, same keys. */
  cpuUsPerReading: Record<string, number>;
  profile?: ProfileSummary;
}

export const WARMUP_S = 3;
const HOUR_MS = 3_600_000;
const DRAIN_TIMEOUT_MS = 60_000;

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Every fleet run gets its own hour of reading times: a device's readings are at least 1 ms apart, so at
 * 50 per message its clock runs ahead of the wall clock, and a later run starting "now" would overwrite
 * an earlier run's points instead of adding to them.
 */
export function clockFor(run: number): () => number {
  return () => Date.now() + run * HOUR_MS;
}

/** lost: acknowledged but not in InfluxDB. duplicates: more points than readings were ever sent. */
function counted(acknowledged: number, sent: number, stored: number) {
  return { stored, lost: Math.max(0, acknowledged - stored), duplicates: Math.max(0, stored - sent) };
}

async function createDatabase(influxUrl: string, name: string): Promise<void> {
  await fetch(`${influxUrl}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: `CREATE DATABASE ${name}` }),
  });
}

const unpaced = (
  ctx: ScenarioContext,
  brokerUrl: string,
  k: number,
  inflight: number,
  durationS: number,
) => ({
  brokerUrl,
  gateways: ctx.gateways,
  devicesPerGateway: 1,
  readingsPerMessage: k,
  rate: 0,
  inflight,
  durationS,
});

const logCpu = (ctx: ScenarioContext, r: { cores: unknown; cpuUsPerReading: unknown }) =>
  ctx.log(`  CPU cores ${JSON.stringify(r.cores)}; µs/reading ${JSON.stringify(r.cpuUsPerReading)}`);

/**
 * The fleet against ingest in a child process (Aedes, ES256 tokens, registry, PUBACK only after the
 * InfluxDB 2xx or the spool's fsync), `k` readings per message: warm-up, measured window, point count.
 * With `profileDir`, the child runs under `node --cpu-prof` and the measured window is summarised.
 */
export async function ingestScenario(
  ctx: ScenarioContext,
  name: string,
  k: number,
  inflight: number,
  profileDir?: string,
  events = true,
): Promise<ScenarioResult> {
  const database = `bench_ingest_${name}`;
  const broker = await startFleetBroker(
    {
      influxUrl: ctx.influx.url,
      database,
      publicKeyPem: ctx.publicKeyPem,
      dataDir: join(ctx.work, name),
      gateways: ctx.gateways,
      devicesPerGateway: 1,
      registryUrl: ctx.registryUrl,
      events,
    },
    [...ctx.ingestNodeArgs, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
  );
  let warm: FleetReport;
  let r: FleetReport;
  let cpu: CpuSample;
  const window = { fromUs: 0, toUs: 0 };
  try {
    const credentials = ctx.credentials;
    warm = await runFleet(
      { ...unpaced(ctx, broker.url, k, inflight, WARMUP_S), credentials },
      { now: ctx.nextClock() },
    );
    ctx.log(`${name}: ${ctx.gateways} gateways × ${inflight} in flight, ${k} readings/message…`);
    const w = cpuWindow({ fleet: process.pid, ingest: broker.pid, influxd: ctx.influx.pid });
    window.fromUs = monotonicUs();
    r = await runFleet(
      { ...unpaced(ctx, broker.url, k, inflight, ctx.durationS), credentials },
      { now: ctx.nextClock() },
    );
    window.toUs = monotonicUs();
    cpu = w.end(r.acknowledged * k);
  } finally {
    await broker.stop();
  }
  const stored = await countPoints(ctx.influx.url, database, 'heart_rate');
  const acknowledgedReadings = (warm.acknowledged + r.acknowledged) * k;
  const result: ScenarioResult = {
    gateways: ctx.gateways,
    readingsPerMessage: k,
    inflightPerConnection: inflight,
    messagesPerSecond: r.messagesPerSecond,
    readingsPerSecond: r.readingsPerSecond,
    elapsedS: r.elapsedS,
    acknowledgedReadings,
    ...counted(acknowledgedReadings, (warm.sent + r.sent) * k, stored),
    ackLatencyMs: r.ackLatencyMs,
    errors: r.errors,
    cores: cpu.cores,
    cpuUsPerReading: cpu.perUnitUs,
  };
  ctx.log(
    `  ${round(r.messagesPerSecond)} msg/s = ${round(r.readingsPerSecond)} readings/s; stored ${stored} of ${acknowledgedReadings} acknowledged`,
  );
  logCpu(ctx, result);
  if (profileDir) {
    result.profile = await summariseNewestProfile(profileDir, 15, window);
    if (result.profile) ctx.log(`  profile ${result.profile.file}`);
  }
  return result;
}

/**
 * The same fleet and message shape against the naive pipeline (naive-pipeline.ts). Its PUBACKs come from
 * memory, so the fleet's rate says nothing: the rate is the readings InfluxDB acknowledged over the time
 * from the first publish to the last successful write.
 */
export async function naiveScenario(
  ctx: ScenarioContext,
  name: string,
  inflight: number,
): Promise<ScenarioResult & { brokerAcknowledgedPerSecond: number; failedLines: number }> {
  const database = `bench_naive_${name}`;
  await createDatabase(ctx.influx.url, database);
  const naive = await startNaivePipeline({ influxUrl: ctx.influx.url, database });
  try {
    const warm = await runFleet(unpaced(ctx, naive.url, 1, inflight, WARMUP_S), { now: ctx.nextClock() });
    const warmDrain = await naive.drained(warm.acknowledged, DRAIN_TIMEOUT_MS);
    ctx.log(`${name}: naive pipeline, ${ctx.gateways} gateways × ${inflight} in flight, 1 reading/message…`);
    const w = cpuWindow({
      fleet: process.pid,
      broker: naive.brokerPid,
      subscriber: naive.subscriberPid,
      influxd: ctx.influx.pid,
    });
    const startedAt = Date.now();
    const r = await runFleet(unpaced(ctx, naive.url, 1, inflight, ctx.durationS), { now: ctx.nextClock() });
    const d = await naive.drained(warm.acknowledged + r.acknowledged, DRAIN_TIMEOUT_MS);
    const written = d.written - warmDrain.written;
    const cpu = w.end(written);
    const seconds = Math.max(d.lastWrittenAt - (startedAt + r.connectS * 1000), 1) / 1000;
    const readingsPerSecond = round(written / seconds, 1);
    await naive.stop();
    const stored = await countPoints(ctx.influx.url, database, 'heart_rate');
    const acknowledgedReadings = warm.acknowledged + r.acknowledged;
    const result = {
      gateways: ctx.gateways,
      readingsPerMessage: 1,
      inflightPerConnection: inflight,
      messagesPerSecond: readingsPerSecond,
      readingsPerSecond,
      elapsedS: round(seconds, 3),
      acknowledgedReadings,
      ...counted(acknowledgedReadings, warm.sent + r.sent, stored),
      ackLatencyMs: r.ackLatencyMs,
      errors: r.errors,
      cores: cpu.cores,
      cpuUsPerReading: cpu.perUnitUs,
      brokerAcknowledgedPerSecond: r.messagesPerSecond,
      failedLines: d.failedLines,
    };
    ctx.log(
      `  broker acked ${round(r.messagesPerSecond)} msg/s; InfluxDB took ${round(readingsPerSecond)} readings/s; stored ${stored} of ${acknowledgedReadings} acknowledged`,
    );
    logCpu(ctx, result);
    return result;
  } finally {
    await naive.stop();
  }
}

/**
 * `connections` gateways connect with an ES256 token each against a fresh ingest child, then publish at
 * `rate` messages/s long enough for each to publish. Ingest's resident memory is read before the first
 * connection and each second while they publish.
 */
export async function connectionScenario(
  ctx: ScenarioContext,
  opts: { connections: number; connectRate: number; rate: number },
) {
  const database = 'bench_ingest_connections';
  const broker = await startFleetBroker(
    {
      influxUrl: ctx.influx.url,
      database,
      publicKeyPem: ctx.publicKeyPem,
      dataDir: join(ctx.work, 'connections'),
      gateways: opts.connections,
      devicesPerGateway: 1,
      registryUrl: ctx.registryUrl,
      // Ingest's default CONNECT limit (1 000/s, bursts of 2 000) would be measured instead of what
      // connecting costs; the limit is a setting, the cost is not.
      brokerLimits: { connectRate: { ratePerSecond: 1_000_000, burst: 1_000_000 } },
    },
    ctx.ingestNodeArgs,
  );
  let r: FleetReport;
  let cpu: CpuSample;
  const before = rssMbOf(broker.pid);
  const samples: number[] = [];
  try {
    ctx.log(
      `connections: ${opts.connections} gateways, ramp ≤ ${opts.connectRate}/s, then ${opts.rate} msg/s; ingest RSS ${round(before, 1)} MB before…`,
    );
    const w = cpuWindow({ fleet: process.pid, ingest: broker.pid });
    r = await runFleet(
      {
        brokerUrl: broker.url,
        gateways: opts.connections,
        devicesPerGateway: 1,
        readingsPerMessage: 1,
        rate: opts.rate,
        durationS: Math.max(WARMUP_S, Math.ceil((1.5 * opts.connections) / opts.rate)),
        connectRate: opts.connectRate,
        credentials: ctx.credentials,
      },
      {
        now: ctx.nextClock(),
        progress: (p) => {
          if (p.phase === 'publishing') samples.push(rssMbOf(broker.pid));
        },
      },
    );
    cpu = w.end(r.connected);
  } finally {
    await broker.stop();
  }
  const stored = await countPoints(ctx.influx.url, database, 'heart_rate');
  // The last sample while publishing: every gateway connected and past its first publish.
  const connectedRss = samples.at(-1) ?? Number.NaN;
  const result = {
    gateways: opts.connections,
    connected: r.connected,
    connectFailures: r.connectFailures,
    connectS: r.connectS,
    connectAuthPerSecond: round(r.connected / r.connectS),
    publishingGateways: r.publishingGateways,
    rssMbBefore: round(before, 1),
    rssMbConnected: round(connectedRss, 1),
    rssKbPerConnection: round(((connectedRss - before) * 1024) / r.connected, 1),
    /** Whole run (connect + publish), per connection. */
    cpuUsPerConnection: cpu.perUnitUs,
    cores: cpu.cores,
    acknowledged: r.acknowledged,
    ...counted(r.acknowledged, r.sent, stored),
    errors: r.errors,
  };
  ctx.log(
    `  connected ${r.connected}/${opts.connections} in ${r.connectS} s (${result.connectAuthPerSecond}/s), ${r.publishingGateways} published; ingest RSS ${result.rssMbBefore} → ${result.rssMbConnected} MB = ${result.rssKbPerConnection} KB/connection`,
  );
  ctx.log(`  CPU µs/connection ${JSON.stringify(cpu.perUnitUs)}`);
  return result;
}
