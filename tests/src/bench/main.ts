import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runIngestBench } from './ingest-bench.js';
import { runProtocolBench } from './protocol-bench.js';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
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

await program.parseAsync(process.argv);
