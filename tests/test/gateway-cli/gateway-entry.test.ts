import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTokenIssuer, type Database, DEMO_HOME, generateSigningKeys } from '@linkwell/api';
import type { IngestService } from '@linkwell/ingest';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry, startTestIngest } from '../../src/demo-platform.js';
import { startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';

// `linkwell-gateway`, the gateway's service entry point, is run as an executable so that its shebang (the
// small-board Node flags, docs/benchmarks.md) is what starts it, as a service unit would.
const BIN = resolve(fileURLToPath(import.meta.url), '../../../../cli/bin/linkwell-gateway.js');
const run = promisify(execFile);

async function received(registry: Registry): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find(
    (x) => x.name === 'linkwell_ingest_readings_received_total',
  );
  return (m?.values ?? []).reduce((a, v) => a + Number(v.value), 0);
}

describe('linkwell-gateway: the gateway-only entry point', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let dir: string;
  const metrics = new Registry();
  const keys = generateSigningKeys();
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-gw-entry-'));
    db = await openDemoRegistry();
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      metricsRegistry: metrics,
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is linked by npm install, so `npx linkwell-gateway` (README) finds it', async () => {
    const linked = resolve(BIN, '../../../node_modules/.bin/linkwell-gateway');
    expect((await run(linked, ['--version'])).stdout.trim()).toBe('0.1.0');
  });

  it('--help lists run, and run --help its options', async () => {
    const top = await run(BIN, ['--help']);
    expect(top.stdout).toMatch(/Usage: linkwell-gateway/);
    expect(top.stdout).toMatch(/\brun \[options\]/);
    const sub = await run(BIN, ['run', '--help']);
    for (const opt of ['--transport', '--credentials', '--token-file', '--outbox-dir', '--state-dir'])
      expect(sub.stdout).toContain(opt);
  });

  it('runs under the small-board flags, takes its gateway id from the token, and relays readings', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, createTokenIssuer(keys).gatewayToken(DEMO_HOME.gatewayId), { mode: 0o600 });
    let log = '';
    child = spawn(
      BIN,
      [
        'run',
        '--transport',
        'sim',
        '--mqtt',
        ingest.mqttUrl,
        '--token-file',
        tokenFile,
        '--outbox-dir',
        join(dir, 'outbox'),
        '--state-dir',
        join(dir, 'state'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
    });
    // The broker checks the id against the token's subject, so readings arriving show the id was right.
    await until('readings at the broker', async () => (await received(metrics)) >= 2, 30_000);
    expect(log).toContain(`"gw":"${DEMO_HOME.gatewayId}"`);
    const argv = (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).split('\0');
    expect(argv).toEqual(
      expect.arrayContaining([
        '--max-semi-space-size=1',
        '--v8-pool-size=1',
        '--no-opt',
        '--no-sparkplug',
        '--optimize-for-size',
      ]),
    );
  });

  it('refuses a token file it cannot read, with CLI_ERR_BAD_ARGUMENT and exit code 1 (no stack)', async () => {
    const err = await run(BIN, ['run', '--mqtt', ingest.mqttUrl, '--token-file', join(dir, 'missing')]).catch(
      (e) => e,
    );
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/^CLI_ERR_BAD_ARGUMENT: cannot read --token-file .*missing: ENOENT/);
    expect(err.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a token file that holds no JWT subject, with CLI_ERR_BAD_ARGUMENT and exit code 1', async () => {
    const tokenFile = join(dir, 'not-a-jwt');
    await writeFile(tokenFile, 'opaque-token');
    const err = await run(BIN, ['run', '--mqtt', ingest.mqttUrl, '--token-file', tokenFile]).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/CLI_ERR_BAD_ARGUMENT.*--gateway-id/);
  });
});
