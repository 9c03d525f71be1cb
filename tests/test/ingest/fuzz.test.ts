import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzJob, FuzzResult } from '../../src/fuzz/fuzz-publisher.js';
import { type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import {
  BAND,
  type BrokerFixture,
  connectAs,
  deadLetterLines,
  envelopeOf,
  GW,
  heartRate,
  heartRatePoints,
  metric,
  startBrokerIngest,
} from './broker-fixtures.js';

const DB = 'fuzz';
// About 30 s of ingest CPU on an idle machine (a refused envelope costs ~300 µs, docs/ingest.md); the test's
// timeout leaves room for a shared one.
const TOTAL = 100_000;
// The generator runs from the built tests package (npx tsc -b), in its own process: the broker keeps a core.
const PUBLISHER = resolve(fileURLToPath(import.meta.url), '../../../dist/fuzz/fuzz-publisher.js');

function runPublisher(job: FuzzJob): Promise<FuzzResult> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [PUBLISHER, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? ok(JSON.parse(out) as FuzzResult) : fail(new Error(`fuzz publisher exited with ${code}`)),
    );
  });
}

describe('fuzzing the readings topic: 100 000 invalid envelopes', () => {
  let influx: RunningInfluxd;
  let dir: string;
  let fx: BrokerFixture;
  const metrics = new Registry();

  beforeAll(async () => {
    influx = await startInfluxd({ database: DB });
    dir = await mkdtemp(join(tmpdir(), 'lw-fuzz-'));
    fx = await startBrokerIngest({ influxUrl: influx.url, database: DB, dir, metrics });
  });

  afterAll(async () => {
    await fx?.ingest.close();
    await fx?.db.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('acknowledges each one after dead-lettering it with a code, stores nothing, and still takes a valid reading', async () => {
    const cpu = process.cpuUsage();
    const result = await runPublisher({
      url: fx.ingest.mqttUrl,
      gw: GW,
      device: BAND,
      token: fx.issuer.gatewayToken(GW),
      total: TOTAL,
      connections: 4,
      inFlight: 250,
      seed: 0x5eed,
    });
    const { user, system } = process.cpuUsage(cpu);
    expect(result).toMatchObject({ sent: TOTAL, acked: TOTAL, dropped: 0 });
    for (const n of Object.values(result.kinds)) expect(n).toBeGreaterThan(5000);

    const lines = await deadLetterLines(fx.dataDir);
    expect(lines.length).toBe(TOTAL);
    const codes = new Map<string, number>();
    for (const l of lines) {
      const code = (JSON.parse(l) as { code: string }).code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect([...codes.keys()].sort()).toEqual([
      'INGEST_ERR_GATEWAY_MISMATCH',
      'INGEST_ERR_IMPLAUSIBLE_VALUE',
      'INGEST_ERR_INVALID_PAYLOAD',
    ]);
    for (const [code, n] of codes)
      expect(await metric(metrics, 'linkwell_ingest_dead_letters_total', { code })).toBe(n);
    expect(await metric(metrics, 'linkwell_ingest_readings_written_total')).toBe(0);
    expect(await metric(metrics, 'linkwell_ingest_readings_held_total')).toBe(0);
    expect(await heartRatePoints(influx.url, DB)).toBe(0);

    const after = await connectAs(fx.ingest.mqttUrl, GW, fx.issuer.gatewayToken(GW));
    await after.publishAsync(`lw/v1/gw/${GW}/readings`, envelopeOf([heartRate(7)]), { qos: 1 });
    await after.endAsync();
    expect(await heartRatePoints(influx.url, DB)).toBe(1);
    console.info(
      `fuzz: ${TOTAL} envelopes in ${result.seconds.toFixed(1)} s (${Math.round(TOTAL / result.seconds)}/s), ` +
        `ingest CPU ${Math.round((user + system) / TOTAL)} µs each; ${JSON.stringify(result.kinds)}; ${JSON.stringify(Object.fromEntries(codes))}`,
    );
  }, 180_000);
});
