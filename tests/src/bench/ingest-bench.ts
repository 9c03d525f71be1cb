import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenIssuer, type Database, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import { startIngest } from '@linkwell/ingest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startInfluxd } from '../harness/index.js';
import { countPoints, measureInfluxCeiling } from './influx-ceiling.js';

export interface IngestBenchOptions {
  readings: number;
  gateways: number;
  outFile: string;
  log: (line: string) => void;
}

interface Scenario {
  name: 'readings_50_per_message' | 'messages_1_per_message';
  readingsPerMessage: number;
  inflightPerConnection: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'readings_50_per_message', readingsPerMessage: 50, inflightPerConnection: 20 },
  { name: 'messages_1_per_message', readingsPerMessage: 1, inflightPerConnection: 100 },
];

const gatewayAddress = (i: number) =>
  `B0:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();

async function seedGateways(db: Database, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $1)', [`acct_b${i}`]);
    await db.query('INSERT INTO households (id, name) VALUES ($1, $1)', [`hh_b${i}`]);
    await db.query('INSERT INTO gateways (id, household_id, name) VALUES ($1, $2, $1)', [
      `gw_b${i}`,
      `hh_b${i}`,
    ]);
    await db.query("INSERT INTO devices (id, household_id, address, kind) VALUES ($1, $2, $3, 'wristband')", [
      `dev_b${i}`,
      `hh_b${i}`,
      gatewayAddress(i),
    ]);
    await db.query('INSERT INTO device_assignments (device_id, slot, account_id) VALUES ($1, NULL, $2)', [
      `dev_b${i}`,
      `acct_b${i}`,
    ]);
  }
}

function runPublisher(job: unknown): Promise<{ seconds: number }> {
  const script = fileURLToPath(new URL('./publisher.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`publisher exited ${code}`)),
    );
  });
}

/**
 * Measures, in one session: the raw InfluxDB write ceiling, then the full pipeline (MQTT QoS 1 publishers in
 * a child process → Aedes → validate → registry → batch → InfluxDB, PUBACK after the write) for two message
 * shapes, and counts every point afterwards to report lost and duplicated readings.
 */
export async function runIngestBench(opts: IngestBenchOptions) {
  const log = opts.log;
  const influx = await startInfluxd();
  const work = await mkdtemp(join(tmpdir(), 'lw-bench-'));
  try {
    log(`influxd ${influx.version} on ${influx.url}`);
    await fetch(`${influx.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'CREATE DATABASE bench_raw' }),
    });
    log(`raw ceiling: ${opts.readings} points, 5000-point batches, 2 writers…`);
    const raw = await measureInfluxCeiling({
      url: influx.url,
      database: 'bench_raw',
      points: opts.readings,
      batch: 5000,
      writers: 2,
    });
    log(`  ${Math.round(raw.pointsPerSecond)} points/s`);

    const db = await openPglite();
    await migrate(db);
    await seedGateways(db, opts.gateways);
    const keys = generateSigningKeys();
    const issuer = createTokenIssuer(keys);
    const gateways = Array.from({ length: opts.gateways }, (_, i) => ({
      id: `gw_b${i}`,
      token: issuer.gatewayToken(`gw_b${i}`),
      address: gatewayAddress(i),
    }));

    const results: Record<
      string,
      {
        readingsPerSecond: number;
        messagesPerSecond: number;
        seconds: number;
        expected: number;
        stored: number;
        lost: number;
        duplicates: number;
      }
    > = {};
    for (const s of SCENARIOS) {
      const database = `bench_${s.name}`;
      const svc = await startIngest({
        mqtt: { host: '127.0.0.1', port: 0 },
        influx: { url: influx.url, database },
        registry: db,
        gatewayPublicKeyPem: keys.publicKeyPem,
        dataDir: join(work, s.name),
        logger: pino({ level: 'silent' }),
        metricsRegistry: new Registry(),
      });
      const messagesPerGateway = Math.ceil(opts.readings / s.readingsPerMessage / opts.gateways);
      const expected = messagesPerGateway * s.readingsPerMessage * opts.gateways;
      log(
        `${s.name}: ${opts.gateways} gateways × ${messagesPerGateway} messages × ${s.readingsPerMessage} readings, ${s.inflightPerConnection} in flight each…`,
      );
      const { seconds } = await runPublisher({
        url: svc.mqttUrl,
        gateways,
        messagesPerGateway,
        readingsPerMessage: s.readingsPerMessage,
        inflight: s.inflightPerConnection,
        t0: Date.UTC(2025, 0, 1),
      });
      await svc.close();
      const stored = await countPoints(influx.url, database, 'heart_rate');
      results[s.name] = {
        readingsPerSecond: expected / seconds,
        messagesPerSecond: expected / s.readingsPerMessage / seconds,
        seconds,
        expected,
        stored,
        lost: Math.max(0, expected - stored),
        duplicates: Math.max(0, stored - expected),
      };
      log(`  ${Math.round(expected / seconds)} readings/s, stored ${stored}/${expected}`);
    }
    await db.close();

    const r50 = results.readings_50_per_message!;
    const r1 = results.messages_1_per_message!;
    const summary = {
      measured_at: new Date().toISOString(),
      influx_version: influx.version,
      readings_per_scenario: opts.readings,
      gateways: opts.gateways,
      raw_influx_points_per_s: Math.round(raw.pointsPerSecond),
      readings_per_s: Math.round(r50.readingsPerSecond),
      messages_per_s: Math.round(r1.messagesPerSecond),
      ratio: Number((r50.readingsPerSecond / raw.pointsPerSecond).toFixed(3)),
      lost: r50.lost + r1.lost,
      duplicates: r50.duplicates + r1.duplicates,
      scenarios: results,
    };
    await mkdir(join(opts.outFile, '..'), { recursive: true });
    await writeFile(opts.outFile, `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    await influx.stop();
    await rm(work, { recursive: true, force: true });
  }
}
