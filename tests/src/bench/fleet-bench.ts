import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeys } from '@linkwell/api';
import {
  type FleetOptions,
  type FleetReport,
  formatFleetProgress,
  gatewayTokenCredentials,
  runFleet,
} from '@linkwell/device-sim';
import { startInfluxd, startMosquitto } from '../harness/index.js';
import { startFleetBroker } from './fleet-broker-child.js';
import { type CpuSample, cpuWindow, peakRssMbOf } from './fleet-proc.js';
import { countPoints, measureInfluxCeiling } from './influx-ceiling.js';

export interface FleetBenchOptions {
  /** Throughput scenario: connections publishing unpaced. */
  gateways: number;
  /** Unacknowledged publishes per connection; each value is one run per broker, the best is reported. */
  inflight: number[];
  durationS: number;
  /** Connection-scale scenario: this many gateways from one process; 0 skips it. */
  connections: number;
  connectRate: number;
  /** Messages/s across the fleet in the connection-scale scenario. */
  scaleRate: number;
  outFile: string;
  log: (line: string) => void;
}

const WARMUP_S = 3;
const BATCHED_READINGS = 10;

interface Run {
  inflight: number;
  messagesPerSecond: number;
  sent: number;
  acknowledged: number;
  failed: number;
  connectFailures: number;
  connected: number;
  publishingGateways: number;
  connectS: number;
  elapsedS: number;
  ackLatencyMs: FleetReport['ackLatencyMs'];
  errors: Record<string, number>;
  /** CPU seconds per wall second: fleet, broker, influxd, the machine, and what the others leave. */
  cores: Record<string, number>;
  /** CPU microseconds per acknowledged message, same keys. */
  cpuUsPerMessage: Record<string, number>;
}

const summary = (inflight: number, r: FleetReport, cpu: CpuSample): Run => ({
  inflight,
  messagesPerSecond: r.messagesPerSecond,
  sent: r.sent,
  acknowledged: r.acknowledged,
  failed: r.failed,
  connectFailures: r.connectFailures,
  connected: r.connected,
  publishingGateways: r.publishingGateways,
  connectS: r.connectS,
  elapsedS: r.elapsedS,
  ackLatencyMs: r.ackLatencyMs,
  errors: r.errors,
  cores: cpu.cores,
  cpuUsPerMessage: cpu.perUnitUs,
});

const cpuLine = (r: Run) =>
  `CPU cores ${JSON.stringify(r.cores)}, µs/message ${JSON.stringify(r.cpuUsPerMessage)}`;
const best = (runs: Run[]) => runs.reduce((a, b) => (b.messagesPerSecond > a.messagesPerSecond ? b : a));
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Measures `linkwell sim fleet` in one session:
 * (a) throughput: the fleet (this process) unpaced at 1 reading per message against Mosquitto (baseline:
 *     what fleet + a C broker manage on this machine) and against the project's broker (ingest in a child
 *     process, real influxd), with InfluxDB's raw write ceiling as the second baseline, every process's CPU
 *     and a point count proving nothing acknowledged was lost;
 * (b) connection scale: `connections` gateways from this one process against ingest in a child, paced so
 *     every gateway publishes, reporting ramp time and how many connected and published.
 */
export async function runFleetBench(opts: FleetBenchOptions) {
  const log = opts.log;
  const influx = await startInfluxd();
  const work = await mkdtemp(join(tmpdir(), 'lw-fleet-bench-'));
  const keys = generateSigningKeys();
  const credentials = gatewayTokenCredentials(keys.privateKeyPem);
  const unpaced = (brokerUrl: string, inflight: number, durationS: number): FleetOptions => ({
    brokerUrl,
    gateways: opts.gateways,
    devicesPerGateway: 1,
    readingsPerMessage: 1,
    rate: 0,
    inflight,
    durationS,
  });
  try {
    log(`influxd ${influx.version} on ${influx.url}`);
    await fetch(`${influx.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'CREATE DATABASE bench_raw' }),
    });
    const raw = await measureInfluxCeiling({
      url: influx.url,
      database: 'bench_raw',
      points: 300_000,
      batch: 5000,
      writers: 2,
    });
    log(`raw InfluxDB ceiling: ${Math.round(raw.pointsPerSecond)} points/s`);

    // (a1) Baseline broker: Mosquitto, a single-threaded C broker.
    const viaMosquitto: Run[] = [];
    const mosquitto = await startMosquitto();
    try {
      await runFleet(unpaced(mosquitto.url, opts.inflight[0]!, WARMUP_S));
      for (const w of opts.inflight) {
        log(
          `fleet → Mosquitto: ${opts.gateways} gateways, unpaced, ${w} in flight each, ${opts.durationS} s…`,
        );
        const cpu = cpuWindow({ fleet: process.pid, mosquitto: mosquitto.pid });
        const r = await runFleet(unpaced(mosquitto.url, w, opts.durationS));
        viaMosquitto.push(summary(w, r, cpu.end(r.acknowledged)));
        log(`  ${r.messagesPerSecond} msg/s, ${cpuLine(viaMosquitto.at(-1)!)}`);
      }
    } finally {
      await mosquitto.stop();
    }

    // (a2) The project's broker: ingest (Aedes, ES256 auth, registry, PUBACK after the InfluxDB write).
    const database = 'bench_fleet_throughput';
    const viaIngest: Run[] = [];
    let acknowledged = 0; // readings, for the stored-count check
    let batched: (Run & { readingsPerSecond: number }) | undefined;
    const broker = await startFleetBroker({
      influxUrl: influx.url,
      database,
      publicKeyPem: keys.publicKeyPem,
      dataDir: join(work, 'throughput'),
      gateways: opts.gateways,
      devicesPerGateway: 1,
    });
    try {
      // Warm-up: JIT, first registry lookups, InfluxDB shard creation.
      acknowledged += (await runFleet({ ...unpaced(broker.url, opts.inflight[0]!, WARMUP_S), credentials }))
        .acknowledged;
      for (const w of opts.inflight) {
        log(`fleet → ingest: ${opts.gateways} gateways, unpaced, ${w} in flight each, ES256 tokens…`);
        const cpu = cpuWindow({ fleet: process.pid, ingest: broker.pid, influxd: influx.pid });
        const r = await runFleet({ ...unpaced(broker.url, w, opts.durationS), credentials });
        acknowledged += r.acknowledged;
        viaIngest.push(summary(w, r, cpu.end(r.acknowledged)));
        log(`  ${r.messagesPerSecond} msg/s, ${cpuLine(viaIngest.at(-1)!)}`);
      }
      // The other lever: more readings per message costs ingest little extra per message.
      const w = best(viaIngest).inflight;
      log(`fleet → ingest: ${BATCHED_READINGS} readings per message, ${w} in flight each…`);
      const cpu = cpuWindow({ fleet: process.pid, ingest: broker.pid, influxd: influx.pid });
      const r = await runFleet({
        ...unpaced(broker.url, w, opts.durationS),
        readingsPerMessage: BATCHED_READINGS,
        credentials,
      });
      acknowledged += r.acknowledged * BATCHED_READINGS;
      batched = { ...summary(w, r, cpu.end(r.acknowledged)), readingsPerSecond: r.readingsPerSecond };
      log(`  ${r.messagesPerSecond} msg/s = ${r.readingsPerSecond} readings/s, ${cpuLine(batched)}`);
    } finally {
      await broker.stop();
    }
    const stored = await countPoints(influx.url, database, 'heart_rate');
    log(`  stored ${stored} of ${acknowledged} acknowledged readings`);

    // (b) Connection scale.
    let scale: (Run & { peakRssMb: { fleet: number; ingest: number } }) | undefined;
    if (opts.connections > 0) {
      const scaleBroker = await startFleetBroker({
        influxUrl: influx.url,
        database: 'bench_fleet_connections',
        publicKeyPem: keys.publicKeyPem,
        dataDir: join(work, 'connections'),
        gateways: opts.connections,
        devicesPerGateway: 1,
      });
      try {
        log(
          `connection scale: ${opts.connections} gateways at ${opts.connectRate}/s, then ${opts.scaleRate} msg/s for ${opts.durationS} s…`,
        );
        const cpu = cpuWindow({ fleet: process.pid, ingest: scaleBroker.pid, influxd: influx.pid });
        let calls = 0;
        const r = await runFleet(
          {
            brokerUrl: scaleBroker.url,
            gateways: opts.connections,
            devicesPerGateway: 1,
            readingsPerMessage: 1,
            rate: opts.scaleRate,
            durationS: opts.durationS,
            connectRate: opts.connectRate,
            credentials,
          },
          {
            progress: (p) => {
              if (++calls % 5 === 0) log(`  ${p.phase}: ${formatFleetProgress(p)}`);
            },
          },
        );
        scale = {
          ...summary(10, r, cpu.end(r.acknowledged)),
          // The bench process's peak includes the throughput runs before; at 10k connections they are small.
          peakRssMb: { fleet: peakRssMbOf(process.pid), ingest: peakRssMbOf(scaleBroker.pid) },
        };
        log(
          `  connected ${r.connected}/${opts.connections} in ${r.connectS} s, ${r.publishingGateways} published, ${r.messagesPerSecond} msg/s, peak RSS ${JSON.stringify(scale.peakRssMb)} MB`,
        );
      } finally {
        await scaleBroker.stop();
      }
    }

    const bestMosquitto = best(viaMosquitto);
    const bestIngest = best(viaIngest);
    const result = {
      measured_at: new Date().toISOString(),
      influx_version: influx.version,
      throughput: {
        gateways: opts.gateways,
        readings_per_message: 1,
        duration_s: opts.durationS,
        raw_influx_points_per_s: Math.round(raw.pointsPerSecond),
        mosquitto_messages_per_s: bestMosquitto.messagesPerSecond,
        ingest_messages_per_s: bestIngest.messagesPerSecond,
        ingest_best_inflight: bestIngest.inflight,
        ratio_vs_mosquitto: round3(bestIngest.messagesPerSecond / bestMosquitto.messagesPerSecond),
        ratio_vs_raw_influx: round3(bestIngest.messagesPerSecond / raw.pointsPerSecond),
        stored,
        acknowledged,
        lost: Math.max(0, acknowledged - stored),
        ingest_readings_per_s_at_10_per_message: batched!.readingsPerSecond,
        mosquitto_runs: viaMosquitto,
        ingest_runs: viaIngest,
        ingest_10_readings_per_message: batched,
      },
      connections: scale ?? null,
    };
    await mkdir(join(opts.outFile, '..'), { recursive: true });
    await writeFile(opts.outFile, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await influx.stop();
    await rm(work, { recursive: true, force: true });
  }
}
