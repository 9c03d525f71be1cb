import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runApiBench } from './api-bench.js';
import { runFleetBench } from './fleet-bench.js';
import { runGatewayFootprint } from './gateway-footprint.js';
import { runIdentityBench } from './identity-bench.js';
import { READINGS_PER_MESSAGE, runIngestBench } from './ingest-bench.js';
import { runInteropBench } from './interop-bench.js';
import { runOutboxBench } from './outbox-bench.js';
import { runOutboxHeap } from './outbox-heap.js';
import { runProtocolBench } from './protocol-bench.js';
import { runSegmentsBench } from './segments-bench.js';
import { runTrendsBench } from './trends-bench.js';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const ints = (v: string) => v.split(',').map(int);
const count = (v: string) => (v === '0' ? 0 : int(v));
const log = (line: string) => console.log(`[bench] ${line}`);

const program = new Command()
  .name('linkwell-bench')
  .description('Linkwell benchmarks; results go to bench-results/ and docs/benchmarks.md explains them');

program
  .command('ingest')
  .description(
    '`linkwell sim fleet` through ingest (ack after durable write) vs raw InfluxDB and a naive pipeline, same session; 10k connections',
  )
  .option('--duration <s>', 'seconds of publishing per scenario (after a 3 s warm-up)', int, 10)
  .option('--rounds <n>', 'runs of each throughput scenario, interleaved; the best is reported', int, 2)
  .option('--gateways <n>', 'fleet gateways (MQTT connections) in the throughput scenarios', int, 100)
  .option(
    '--inflight-batched <n>',
    `in flight per connection, ${READINGS_PER_MESSAGE} readings/message`,
    int,
    10,
  )
  .option('--inflight-single <n>', 'in flight per connection, 1 reading/message', int, 50)
  .option('--connections <n>', 'gateways in the connection-scale scenario (0 skips it)', count, 10_000)
  .option('--connect-rate <n>', 'connections started per second at most', int, 2500)
  .option('--scale-rate <n>', 'messages/s across the fleet once all are connected', int, 5000)
  .option('--cpu-prof <dir>', 'write a CPU profile of each ingest child there and print its top functions')
  .option(
    '--ingest-node-args <args>',
    'node options for the ingest child, e.g. "--max-semi-space-size=64"',
    (v: string) => v.split(/\s+/).filter(Boolean),
  )
  .option('--out <file>', 'JSON results file', 'bench-results/ingest.json')
  .action(
    async (o: {
      duration: number;
      rounds: number;
      gateways: number;
      inflightBatched: number;
      inflightSingle: number;
      connections: number;
      connectRate: number;
      scaleRate: number;
      cpuProf?: string;
      ingestNodeArgs?: string[];
      out: string;
    }) => {
      const r = await runIngestBench({
        durationS: o.duration,
        rounds: o.rounds,
        gateways: o.gateways,
        inflightBatched: o.inflightBatched,
        inflightSingle: o.inflightSingle,
        connections: o.connections,
        connectRate: o.connectRate,
        scaleRate: o.scaleRate,
        ...(o.cpuProf ? { cpuProfDir: resolve(o.cpuProf) } : {}),
        ingestNodeArgs: o.ingestNodeArgs ?? [],
        outFile: resolve(o.out),
        log,
      });
      const row = (value: number | string | null, target: string, met: boolean | null) => ({
        value: value ?? 'skipped',
        target,
        met: met === null ? '' : met ? 'yes' : 'NO',
      });
      const c = r.connections;
      console.table({
        raw_influx_points_per_s: row(r.raw_influx_points_per_s, 'baseline (best run)', null),
        [`readings_per_s (${READINGS_PER_MESSAGE}/msg)`]: row(r.readings_per_s, '', null),
        ratio: row(r.ratio, '≥ 0.70', r.ratio >= 0.7),
        readings_per_s_events_off: row(r.readings_per_s_events_off, 'baseline (best run)', null),
        events_cost: row(r.events_cost, '≤ 0.10 (median of paired rounds)', r.events_cost <= 0.1),
        events_cost_rounds: row(r.events_cost_rounds.join(' / '), '', null),
        events_cost_best: row(r.events_cost_best, 'best on ÷ best off', null),
        relay_events_per_s: row(r.relay_events_per_s, '', null),
        'messages_per_s (1/msg)': row(r.messages_per_s, '', null),
        naive_readings_per_s: row(r.naive_readings_per_s, 'baseline (best run)', null),
        messages_vs_naive: row(r.messages_vs_naive, '≥ 1.2', r.messages_vs_naive >= 1.2),
        lost: row(r.lost, '0', r.lost === 0),
        duplicates: row(r.duplicates, '0', r.duplicates === 0),
        connections_connected: row(
          c?.connected ?? null,
          `${o.connections}`,
          c ? c.connected === o.connections : null,
        ),
        connect_auth_per_s: row(
          c?.connectAuthPerSecond ?? null,
          '≥ 2000',
          c ? c.connectAuthPerSecond >= 2000 : null,
        ),
        rss_kb_per_connection: row(
          c?.rssKbPerConnection ?? null,
          '≤ 25',
          c ? c.rssKbPerConnection <= 25 : null,
        ),
      });
      for (const s of [...r.scenarios.batched, ...r.scenarios.batched_events_off, ...r.scenarios.single]) {
        const p = s.profile;
        if (!p) continue;
        log(
          `ingest CPU profile, ${s.readingsPerMessage} readings/message: ${p.busyMs} ms busy in the measured window, % by area:`,
        );
        console.table(p.byArea);
        console.table(p.top);
      }
      log(`written to ${o.out} in ${r.bench_seconds} s`);
    },
  );

program
  .command('gateway')
  .description(
    'Gateway RSS and CPU for N devices at 1 Hz (vs a bare Node process), and outbox append throughput with fsync (vs raw write+fdatasync)',
  )
  .option('--readings <n>', 'readings appended per scenario', int, 5000)
  .option('--concurrency <n>', 'appenders in flight for the group-commit scenario', int, 50)
  .option('--heap-readings <n>', 'unacknowledged readings for the outbox heap figure', int, 200_000)
  .option('--devices <n>', 'simulated wristbands at 1 Hz for the footprint scenario', int, 10)
  .option('--window <s>', 'seconds of CPU/RSS sampling', int, 60)
  .option('--out <file>', 'JSON results file', 'bench-results/gateway.json')
  .action(
    async (o: {
      readings: number;
      concurrency: number;
      heapReadings: number;
      devices: number;
      window: number;
      out: string;
    }) => {
      const footprint = await runGatewayFootprint(
        { devices: o.devices, warmupS: 10, windowS: o.window },
        log,
      );
      console.table(footprint);
      const outbox = await runOutboxBench(o, log);
      console.table(outbox);
      const outboxHeap = await runOutboxHeap(o.heapReadings, log);
      console.table({ all_in_memory: outboxHeap.all_in_memory, window_10k: outboxHeap.window_10k });
      await mkdir(resolve(o.out, '..'), { recursive: true });
      await writeFile(
        resolve(o.out),
        `${JSON.stringify({ measured_at: new Date().toISOString(), footprint, outbox, outbox_heap: outboxHeap }, null, 2)}\n`,
      );
      log(`written to ${o.out}`);
    },
  );

program
  .command('protocol')
  .description('Codec and envelope throughput on one core, against a byte-touch and a JSON.parse baseline')
  .option('--out <file>', 'JSON results file', 'bench-results/protocol.json')
  .action(async (o: { out: string }) => {
    const r = runProtocolBench(log);
    console.table(r.summary);
    console.table(Object.fromEntries(Object.entries(r.perCodec).map(([k, v]) => [k, { decodes_per_s: v }])));
    await mkdir(resolve(o.out, '..'), { recursive: true });
    await writeFile(
      resolve(o.out),
      `${JSON.stringify({ measured_at: new Date().toISOString(), ...r }, null, 2)}\n`,
    );
    log(`written to ${o.out}`);
  });

program
  .command('fleet')
  .description(
    '`linkwell sim fleet` throughput (vs Mosquitto and raw InfluxDB, same session) and 10k connections',
  )
  .option('--gateways <n>', 'connections in the throughput scenario', int, 100)
  .option(
    '--inflight <list>',
    'unacknowledged publishes per connection, one run each (best reported)',
    ints,
    [20, 50, 100],
  )
  .option('--duration <s>', 'seconds of publishing per scenario', int, 15)
  .option('--connections <n>', 'gateways in the connection-scale scenario (0 skips it)', count, 10_000)
  .option('--connect-rate <n>', 'connections started per second', int, 1000)
  .option('--scale-rate <n>', 'messages/s across the fleet in the connection-scale scenario', int, 5000)
  .option('--out <file>', 'JSON results file', 'bench-results/fleet.json')
  .action(
    async (o: {
      gateways: number;
      inflight: number[];
      duration: number;
      connections: number;
      connectRate: number;
      scaleRate: number;
      out: string;
    }) => {
      const r = await runFleetBench({
        gateways: o.gateways,
        inflight: o.inflight,
        durationS: o.duration,
        connections: o.connections,
        connectRate: o.connectRate,
        scaleRate: o.scaleRate,
        outFile: resolve(o.out),
        log,
      });
      const t = r.throughput;
      console.table({
        raw_influx_points_per_s: t.raw_influx_points_per_s,
        mosquitto_messages_per_s: t.mosquitto_messages_per_s,
        ingest_messages_per_s: t.ingest_messages_per_s,
        ratio_vs_mosquitto: t.ratio_vs_mosquitto,
        ratio_vs_raw_influx: t.ratio_vs_raw_influx,
        ingest_readings_per_s_at_10_per_message: t.ingest_readings_per_s_at_10_per_message,
        lost: t.lost,
        connections_connected: r.connections?.connected ?? 'skipped',
        connections_published: r.connections?.publishingGateways ?? 'skipped',
        connections_connect_s: r.connections?.connectS ?? 'skipped',
      });
      log(`written to ${o.out}`);
    },
  );

program
  .command('identity')
  .description(
    'Sign-in through the API and the simulated Google-like provider vs the bare upstream code flow (openid-client alone), same run',
  )
  .option('--iterations <n>', 'sign-ins of each kind per round', int, 50)
  .option('--rounds <n>', 'rounds, interleaved', int, 2)
  .option('--out <file>', 'JSON results file', 'bench-results/identity.json')
  .action(async (o: { iterations: number; rounds: number; out: string }) => {
    const r = await runIdentityBench({
      iterations: o.iterations,
      rounds: o.rounds,
      outFile: resolve(o.out),
      log,
    });
    console.table({
      baseline_bare_upstream_flow: r.baseline_bare_upstream_flow,
      linkwell_sign_in: r.linkwell_sign_in,
    });
    console.log(`ratio (median, Linkwell / bare upstream flow): ${r.ratio_median}`);
    console.log(`Linkwell's own cost per sign-in (median difference): ${r.overhead_median_ms} ms`);
    log(`written to ${o.out}`);
  });

program
  .command('segments')
  .description(
    'CRM segments over synthetic profiles on PostgreSQL (PGlite alongside): a 3-level nested segment vs a naive per-profile evaluation in JavaScript, the release gate, trait recompute and incremental update',
  )
  .option('--profiles <n>', 'profiles on PostgreSQL', int, 1_000_000)
  .option('--pglite-profiles <n>', 'profiles on PGlite (0 skips it)', count, 200_000)
  .option('--rounds <n>', 'timed segment evaluations (median reported)', int, 5)
  .option('--no-recompute', 'skip trait computation’s recompute and incremental update')
  .option(
    '--recompute-limit <s>',
    'seconds the recompute may take before it is recorded as not finished',
    int,
    300,
  )
  .option('--out <file>', 'JSON results file', 'bench-results/segments.json')
  .action(
    async (o: {
      profiles: number;
      pgliteProfiles: number;
      rounds: number;
      recompute: boolean;
      recomputeLimit: number;
      out: string;
    }) => {
      const r = await runSegmentsBench({
        profiles: o.profiles,
        pgliteProfiles: o.pgliteProfiles,
        rounds: o.rounds,
        recompute: o.recompute,
        recomputeLimitS: o.recomputeLimit,
        outFile: resolve(o.out),
        log,
      });
      console.table({
        profiles: { value: r.profiles, target: '1,000,000' },
        segment_eval_ms: { value: r.segment_eval_ms, target: '< 2000 over 1M' },
        naive_eval_ms: { value: r.naive_eval_ms, target: 'baseline' },
        naive_ratio: { value: r.naive_ratio, target: 'naive ÷ SQL' },
        recompute_s: { value: r.recompute_s ?? 'not measured (see notes)', target: '' },
        incremental_update_ms: { value: r.incremental_update_ms ?? 'skipped', target: '' },
        pglite_profiles: { value: r.pglite?.profiles ?? 'skipped', target: '' },
        pglite_segment_eval_ms: { value: r.pglite?.segment_eval_ms ?? 'skipped', target: '' },
        pglite_segment_eval_ms_scaled: {
          value: r.pglite_segment_eval_ms_scaled ?? 'skipped',
          target: 'linear to the PostgreSQL size',
        },
      });
      log(`results in ${o.out}`);
    },
  );

program
  .command('trends')
  .description(
    'A year of per-minute heart rate (+2 BP and 1 weight a day) for N people in influxd; trend requests through the API with auth, rollups vs raw, same run',
  )
  .option('--people <n>', 'people, each with a year of data', int, 100)
  .option('--days <n>', 'days of history per person', int, 365)
  .option('--samples <n>', 'requests per range through the rollup path', int, 200)
  .option(
    '--raw-samples <list>',
    'requests per range forced to raw data: 1d,7d,30d,365d',
    ints,
    [100, 40, 15, 5],
  )
  .option('--out <file>', 'JSON results file', 'bench-results/trends.json')
  .action(async (o: { people: number; days: number; samples: number; rawSamples: number[]; out: string }) => {
    const [d1 = 100, d7 = 40, d30 = 15, d365 = 5] = o.rawSamples;
    const r = await runTrendsBench({
      people: o.people,
      days: o.days,
      samples: o.samples,
      rawSamples: { '1d': d1, '7d': d7, '30d': d30, '365d': d365 },
      outFile: resolve(o.out),
      log,
    });
    console.table(
      Object.fromEntries(
        Object.entries(r.windows).map(([k, v]) => {
          const w = v as Record<string, number | string | boolean>;
          return [
            k,
            {
              window: w.window,
              p50_ms: w.p50_ms,
              p95_ms: w.p95_ms,
              raw_p50_ms: w.raw_p50_ms,
              raw_p95_ms: w.raw_p95_ms,
              speedup: w.speedup_p50,
              equal: w.rollups_equal_raw,
            },
          ];
        }),
      ),
    );
    log(`target p95 < 50 ms for every range: ${r.target.met ? 'met' : 'NOT met'}; results in ${o.out}`);
  });

program
  .command('api')
  .description(
    'OAuth token endpoint (refresh grant, rotation) under load vs JWKS, and app-token verification on one core vs no auth and first-party tokens, same run',
  )
  .option('--concurrency <n>', 'concurrent clients, each with its own refresh-token chain', int, 8)
  .option('--duration <s>', 'measured seconds per load phase', int, 10)
  .option('--warmup <s>', 'seconds of load before each measured phase', int, 2)
  .option('--rounds <n>', 'load rounds (JWKS, then refresh), interleaved and pooled', int, 2)
  .option('--inject-rounds <n>', 'rounds of in-process requests per variant, interleaved', int, 5)
  .option('--inject-block <n>', 'in-process requests per variant per round', int, 1000)
  .option('--raw-ms <ms>', 'milliseconds per raw-verify loop', int, 2000)
  .option('--quick', 'smoke run: 4 clients, one 2 s round, small in-process samples (seconds, not minutes)')
  .option(
    '--cpu-prof <dir>',
    'profile the guarded and open in-process loops there and print their top functions',
  )
  .option('--out <file>', 'JSON results file', 'bench-results/api.json')
  .action(
    async (
      o: {
        concurrency: number;
        duration: number;
        warmup: number;
        rounds: number;
        injectRounds: number;
        injectBlock: number;
        rawMs: number;
        quick?: boolean;
        cpuProf?: string;
        out: string;
      },
      cmd: Command,
    ) => {
      // --quick changes only what was left at its default, so `--quick --concurrency 2` still means 2.
      const quick = {
        concurrency: 4,
        duration: 2,
        warmup: 1,
        rounds: 1,
        injectRounds: 2,
        injectBlock: 200,
        rawMs: 300,
      };
      const pick = <K extends keyof typeof quick>(k: K) =>
        o.quick && cmd.getOptionValueSource(k) === 'default' ? quick[k] : o[k];
      const r = await runApiBench({
        concurrency: pick('concurrency'),
        durationS: pick('duration'),
        warmupS: pick('warmup'),
        rounds: pick('rounds'),
        injectRounds: pick('injectRounds'),
        injectBlock: pick('injectBlock'),
        rawMs: pick('rawMs'),
        ...(o.cpuProf ? { cpuProfDir: resolve(o.cpuProf) } : {}),
        outFile: resolve(o.out),
        log,
      });
      console.table({
        baseline_jwks: { per_s: r.baseline_jwks_rps, p99_ms: r.baseline_jwks_p99_ms },
        token_endpoint_refresh: { per_s: r.token_endpoint_rps, p99_ms: r.token_endpoint_p99_ms },
        ratio: { per_s: r.ratio_token_rps_vs_jwks, p99_ms: r.ratio_token_p99_vs_jwks },
      });
      console.table(r.inject);
      console.table({
        verify_ms_per_request: {
          value: r.verify_ms_per_request,
          target: '< 0.2',
          met: r.target.met ? 'yes' : 'NO',
        },
        verify_ms_per_request_new_token: {
          value: r.verify_ms_per_request_new_token ?? 'skipped',
          target: '',
          met: '',
        },
        first_party_ms_per_request: { value: r.first_party_ms_per_request, target: 'baseline', met: '' },
        verify_us_raw: { value: r.verify_us_raw, target: '', met: '' },
        verify_us_raw_new_token: { value: r.verify_us_raw_new_token, target: '', met: '' },
        baseline_first_party_verify_us: {
          value: r.baseline_first_party_verify_us,
          target: 'baseline',
          met: '',
        },
        verify_per_second_one_core: { value: r.verify_per_second_one_core, target: '', met: '' },
        reference_shared_verifier_hot_us: { value: r.reference_shared_verifier_hot_us, target: '', met: '' },
      });
      for (const [name, p] of Object.entries(r.profile ?? {})) {
        log(`CPU profile, ${name}: ${p.busyMs} ms busy, % by area:`);
        console.table(p.byArea);
        console.table(p.top);
      }
      log(
        `target verification < 0.2 ms/request: ${r.target.met ? 'met' : 'NOT met'}; written to ${o.out} in ${r.bench_seconds} s`,
      );
    },
  );

program
  .command('interop')
  .description(
    'webhook events delivered/s through the API vs bare signed POSTs to the same receiver; FHIR $everything for a year vs InfluxDB raw, same run',
  )
  .option('--events <n>', 'events per person in the webhook run', int, 2000)
  .option('--people <n>', 'people whose events are delivered at once (1–4, the demo identities)', int, 4)
  .option('--days <n>', 'days of per-minute heart rate for $everything', int, 365)
  .option('--quick', 'smoke run: 200 events × 2 people, 14 days')
  .option('--out <file>', 'JSON results file', 'bench-results/interop.json')
  .action(async (o: { events: number; people: number; days: number; quick?: boolean; out: string }) => {
    const r = await runInteropBench({
      events: o.quick ? 200 : o.events,
      people: o.quick ? 2 : o.people,
      days: o.quick ? 14 : o.days,
      outFile: resolve(o.out),
      log,
    });
    console.table({
      webhook_events_per_s: {
        value: r.webhook_events_per_s,
        baseline: r.webhook_baseline_messages_per_s,
        ratio: r.webhook_ratio,
      },
      everything_seconds: {
        value: r.everything_seconds,
        baseline: r.baseline_influx_raw_seconds,
        ratio: r.everything_ratio_vs_raw,
      },
    });
    log(
      `${r.webhook_events} events delivered, ${r.webhook_refused_by_receiver} refused by the receiver; $everything ${r.everything_entries} entries in ${r.everything_pages} pages; written to ${o.out} in ${r.bench_seconds} s`,
    );
  });

await program.parseAsync(process.argv);
