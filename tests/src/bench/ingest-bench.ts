import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeys, migrate, openPostgres, relayOnce } from '@linkwell/api';
import { gatewayTokenCredentials } from '@linkwell/device-sim';
import { startInfluxd, startPostgres } from '../harness/index.js';
import { seedFleetRegistry } from './fleet-registry.js';
import { measureInfluxCeiling } from './influx-ceiling.js';
import {
  clockFor,
  connectionScenario,
  ingestScenario,
  naiveScenario,
  type ScenarioContext,
  type ScenarioResult,
} from './ingest-scenarios.js';

export interface IngestBenchOptions {
  /** Seconds of publishing per measured window (each scenario has a 3 s warm-up before it). */
  durationS: number;
  /** Each throughput scenario runs this often, interleaved; the best run is reported. */
  rounds: number;
  /** Fleet gateways (MQTT connections) in the throughput scenarios. */
  gateways: number;
  /** Unacknowledged publishes per connection: envelopes of 50 readings, and of 1. */
  inflightBatched: number;
  inflightSingle: number;
  /** Connection-scale scenario: this many authenticated gateways; 0 skips it. */
  connections: number;
  connectRate: number;
  /** Messages/s across the fleet once all are connected, so each gateway publishes. */
  scaleRate: number;
  /** Where to write a CPU profile of each ingest child (`node --cpu-prof`); omitted: no profiling. */
  cpuProfDir?: string;
  /** Node options for the ingest children (not the naive pipeline), e.g. `--max-semi-space-size=64`. */
  ingestNodeArgs: string[];
  outFile: string;
  log: (line: string) => void;
}

export const READINGS_PER_MESSAGE = 50;
const RAW_RUNS = 3;
const RAW_POINTS = 300_000;

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const best = <T extends { readingsPerSecond: number }>(runs: T[]) =>
  runs.reduce((a, b) => (b.readingsPerSecond > a.readingsPerSecond ? b : a));
const sum = (runs: ScenarioResult[], f: (r: ScenarioResult) => number) => runs.reduce((a, r) => a + f(r), 0);

/**
 * bench:ingest, in one session against one real influxd, with the registry in a real PostgreSQL:
 * InfluxDB's raw write ceiling; `linkwell sim fleet` against ingest with 50 readings per message and with
 * 1; the same fleet against the naive Aedes → MQTT.js → WriteApi pipeline; then 10 000 authenticated
 * connections for the connect rate and memory per connection. Each scenario counts its points afterwards.
 */
export async function runIngestBench(opts: IngestBenchOptions) {
  const log = opts.log;
  const benchStarted = performance.now();
  const influx = await startInfluxd();
  // The registry in its own server, as in production: a PGlite inside the ingest child would add its
  // queries and its memory to what is measured for ingest.
  const postgres = await startPostgres().catch(async (err: unknown) => {
    await influx.stop();
    throw err;
  });
  const work = await mkdtemp(join(tmpdir(), 'lw-ingest-bench-'));
  try {
    log(`influxd ${influx.version} on ${influx.url}; registry in PostgreSQL on port ${postgres.port}`);
    // One connection, so the SET covers every statement: it skips the change-feed triggers (a NOTIFY per
    // row), which would make seeding 10 000 gateways take half a minute. No ingest is listening yet.
    const registry = await openPostgres(postgres.url, { max: 1 });
    await migrate(registry);
    await registry.exec('SET session_replication_role = replica');
    await seedFleetRegistry(registry, {
      gateways: Math.max(opts.gateways, opts.connections),
      devicesPerGateway: 1,
    });
    await registry.close();

    // Measured before and after the pipeline runs, and the best run counts: InfluxDB's ceiling drops
    // whenever something else on the machine wants the cores, and a low ceiling would flatter the ratio.
    const rawRuns: number[] = [];
    const measureRaw = async (when: string) => {
      const runs: number[] = [];
      for (let i = 0; i < RAW_RUNS; i++) {
        const database = `bench_raw_${rawRuns.length}`;
        await fetch(`${influx.url}/query`, {
          method: 'POST',
          body: new URLSearchParams({ q: `CREATE DATABASE ${database}` }),
        });
        const r = await measureInfluxCeiling({
          url: influx.url,
          database,
          points: RAW_POINTS,
          batch: 5000,
          writers: 2,
        });
        rawRuns.push(r.pointsPerSecond);
        runs.push(r.pointsPerSecond);
      }
      log(`raw InfluxDB ceiling ${when}: ${runs.map((r) => Math.round(r)).join(' / ')} points/s`);
    };
    await measureRaw('before');

    const keys = generateSigningKeys();
    let run = 0;
    const ctx: ScenarioContext = {
      influx,
      registryUrl: postgres.url,
      publicKeyPem: keys.publicKeyPem,
      credentials: gatewayTokenCredentials(keys.privateKeyPem),
      work,
      gateways: opts.gateways,
      durationS: opts.durationS,
      log,
      nextClock: () => clockFor(run++),
      ingestNodeArgs: opts.ingestNodeArgs,
    };
    const batched: ScenarioResult[] = [];
    const batchedNoEvents: ScenarioResult[] = [];
    const single: ScenarioResult[] = [];
    const naive: Awaited<ReturnType<typeof naiveScenario>>[] = [];
    for (let i = 1; i <= opts.rounds; i++) {
      const prof = (name: string) => (opts.cpuProfDir ? join(opts.cpuProfDir, name) : undefined);
      // The same load with the event outbox off, next to it: its cost is the difference (docs/events.md). The
      // order alternates by round, so a machine that speeds up or slows down during the run favours neither.
      const on = () =>
        ingestScenario(ctx, `batched_${i}`, READINGS_PER_MESSAGE, opts.inflightBatched, prof(`batched_${i}`));
      const off = () =>
        ingestScenario(
          ctx,
          `batched_noevents_${i}`,
          READINGS_PER_MESSAGE,
          opts.inflightBatched,
          prof(`batched_noevents_${i}`),
          false,
        );
      if (i % 2 === 1) {
        batched.push(await on());
        batchedNoEvents.push(await off());
      } else {
        batchedNoEvents.push(await off());
        batched.push(await on());
      }
      single.push(await ingestScenario(ctx, `single_${i}`, 1, opts.inflightSingle, prof(`single_${i}`)));
      naive.push(await naiveScenario(ctx, `naive_${i}`, opts.inflightSingle));
    }
    await measureRaw('after');
    const relay = await measureRelay(postgres.url, log);
    const raw = Math.max(...rawRuns);
    const connections =
      opts.connections > 0
        ? await connectionScenario(ctx, {
            connections: opts.connections,
            connectRate: opts.connectRate,
            rate: opts.scaleRate,
          })
        : undefined;

    const b = best(batched);
    const bOff = best(batchedNoEvents);
    const s = best(single);
    const n = best(naive);
    const ours = [...batched, ...batchedNoEvents, ...single];
    const summary = {
      measured_at: new Date().toISOString(),
      influx_version: influx.version,
      duration_s: opts.durationS,
      rounds: opts.rounds,
      ingest_node_args: opts.ingestNodeArgs,
      bench_seconds: round((performance.now() - benchStarted) / 1000, 1),
      raw_influx_points_per_s: round(raw),
      readings_per_s: round(b.readingsPerSecond),
      messages_per_s: round(s.messagesPerSecond),
      naive_readings_per_s: round(n.readingsPerSecond),
      ratio: round(b.readingsPerSecond / raw, 3),
      readings_per_s_events_off: round(bOff.readingsPerSecond),
      // Each round's pair ran back to back on the same machine state; the median pair is the figure, the best
      // runs' ratio is kept beside it.
      events_cost: round(
        median(batched.map((on, k) => 1 - on.readingsPerSecond / batchedNoEvents[k]!.readingsPerSecond)),
        3,
      ),
      events_cost_rounds: batched.map((on, k) =>
        round(1 - on.readingsPerSecond / batchedNoEvents[k]!.readingsPerSecond, 3),
      ),
      events_cost_best: round(1 - b.readingsPerSecond / bOff.readingsPerSecond, 3),
      relay_events_per_s: relay.eventsPerSecond,
      relay_events: relay.events,
      messages_vs_naive: round(s.messagesPerSecond / n.readingsPerSecond, 2),
      lost: sum(ours, (r) => r.lost) + (connections?.lost ?? 0),
      duplicates: sum(ours, (r) => r.duplicates) + (connections?.duplicates ?? 0),
      naive_lost: sum(naive, (r) => r.lost),
      connections_connected: connections?.connected ?? null,
      connect_auth_per_s: connections?.connectAuthPerSecond ?? null,
      rss_kb_per_connection: connections?.rssKbPerConnection ?? null,
      raw_influx_runs: rawRuns.map((r) => round(r)),
      raw_influx_median_points_per_s: round(median(rawRuns)),
      scenarios: { batched, batched_events_off: batchedNoEvents, single, naive },
      connections: connections ?? null,
    };
    await mkdir(join(opts.outFile, '..'), { recursive: true });
    await writeFile(opts.outFile, `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    await influx.stop();
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * What the API's relay does with the outbox the runs left: expands it into `events` rows (one per reading,
 * with its id) in passes of 50 outbox rows, as `startEventRelay` does. Measured on the first 200 000 events.
 */
async function measureRelay(url: string, log: (line: string) => void) {
  const db = await openPostgres(url, { max: 1 });
  try {
    const started = performance.now();
    let events = 0;
    while (events < 200_000) {
      const pass = await relayOnce(db, Date.now(), 10);
      if (pass.rows === 0) break;
      events += pass.events;
    }
    const s = (performance.now() - started) / 1000;
    const eventsPerSecond = round(events / s);
    log(`event relay: ${events} events recorded in ${round(s, 1)} s (${eventsPerSecond}/s)`);
    return { events, eventsPerSecond };
  } finally {
    await db.close();
  }
}
