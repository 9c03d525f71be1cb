import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runFleetBench } from './fleet-bench.js';
import { runGatewayFootprint } from './gateway-footprint.js';
import { runIngestBench } from './ingest-bench.js';
import { runOutboxBench } from './outbox-bench.js';
import { runProtocolBench } from './protocol-bench.js';

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
  .description('Raw InfluxDB write ceiling vs the full MQTT → ingest → InfluxDB pipeline, same session')
  .option('--readings <n>', 'readings per scenario', int, 300_000)
  .option('--gateways <n>', 'publishing gateways (MQTT connections)', int, 10)
  .option('--out <file>', 'JSON results file', 'bench-results/ingest.json')
  .action(async (o: { readings: number; gateways: number; out: string }) => {
    const r = await runIngestBench({ ...o, outFile: resolve(o.out), log });
    console.table({
      raw_influx_points_per_s: r.raw_influx_points_per_s,
      readings_per_s: r.readings_per_s,
      messages_per_s: r.messages_per_s,
      ratio: r.ratio,
      lost: r.lost,
      duplicates: r.duplicates,
    });
    log(`written to ${o.out}`);
  });

program
  .command('gateway')
  .description(
    'Gateway RSS and CPU for N devices at 1 Hz (vs a bare Node process), and outbox append throughput with fsync (vs raw write+fdatasync)',
  )
  .option('--readings <n>', 'readings appended per scenario', int, 5000)
  .option('--concurrency <n>', 'appenders in flight for the group-commit scenario', int, 50)
  .option('--devices <n>', 'simulated wristbands at 1 Hz for the footprint scenario', int, 10)
  .option('--window <s>', 'seconds of CPU/RSS sampling', int, 60)
  .option('--out <file>', 'JSON results file', 'bench-results/gateway.json')
  .action(
    async (o: { readings: number; concurrency: number; devices: number; window: number; out: string }) => {
      const footprint = await runGatewayFootprint(
        { devices: o.devices, warmupS: 10, windowS: o.window },
        log,
      );
      console.table(footprint);
      const outbox = await runOutboxBench(o, log);
      console.table(outbox);
      await mkdir(resolve(o.out, '..'), { recursive: true });
      await writeFile(
        resolve(o.out),
        `${JSON.stringify({ measured_at: new Date().toISOString(), footprint, outbox }, null, 2)}\n`,
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

await program.parseAsync(process.argv);
