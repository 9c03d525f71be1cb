import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  DEMO_HOME,
  generateSigningKeys,
} from '@linkwell/api';
import { readCredentials, writeCredentials } from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import { type GatewayStatus, linkGateway } from 'linkwell';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry, startTestIngest } from '../../src/demo-platform.js';
import { freePort, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';

const CLI = resolve(fileURLToPath(import.meta.url), '../../../../cli/bin/linkwell.js');
const run = promisify(execFile);
const _silent = pino({ level: 'silent' });
/** Short enough that the token the gateway first connected with is dead when the broker comes back. */
const ACCESS_TTL_SECONDS = 4;

async function metric(registry: Registry, name: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).reduce((a, v) => a + Number(v.value), 0);
}

describe('linkwell gateway run --credentials: short-lived MQTT tokens refreshed through the API', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService | undefined;
  let metrics: Registry;
  let api: ApiApp;
  let dir: string;
  let mqttPort: number;
  let credentialsPath: string;
  let child: ChildProcess | undefined;
  let childStartedAt = 0;
  let log = '';
  const keys = generateSigningKeys();
  const issuer = createTokenIssuer(keys);

  const startBroker = async () => {
    metrics = new Registry();
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      port: mqttPort,
      metricsRegistry: metrics,
    });
  };

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-gw-run-'));
    db = await openDemoRegistry();
    mqttPort = await freePort();
    await startBroker();
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    api = buildApp({
      db,
      influx: { url: influx.url, database: 'linkwell' },
      keys,
      metrics: new Registry(),
      logger: false,
      deviceFlow: { intervalSeconds: 1, mqttUrl: ingest!.mqttUrl, accessTokenTtlSeconds: ACCESS_TTL_SECONDS },
    });
    await api.listen({ host: '127.0.0.1', port });
    const approver = issuer.userToken(DEMO_HOME.accountId, { scopes: ['gateways:link'] });
    let approval: Promise<Response> | undefined;
    const linked = await linkGateway(
      { api: apiUrl, credentials: join(dir, 'etc', 'gateway.json') },
      {
        out: { write: () => true },
        onAuthorization: (a) => {
          approval = fetch(`${apiUrl}/v1/device-authorizations/verify`, {
            method: 'POST',
            headers: { authorization: `Bearer ${approver}`, 'content-type': 'application/json' },
            body: JSON.stringify({ user_code: a.userCode }),
          });
        },
      },
    );
    expect((await approval!).status).toBe(200);
    credentialsPath = linked.credentialsPath;
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await api?.close();
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('connects with a refreshed token, and after the broker restarts reconnects with a fresh one; readings keep arriving', async () => {
    const linkedWith = (await readCredentials(credentialsPath)).refreshToken;
    // No --mqtt: the broker URL comes from the credentials file, which the API filled in when linking.
    childStartedAt = Date.now();
    child = spawn(
      process.execPath,
      [
        CLI,
        'gateway',
        'run',
        '--credentials',
        credentialsPath,
        '--transport',
        'sim',
        '--outbox-dir',
        join(dir, 'outbox'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
    });
    await until(
      'readings at the first broker',
      async () => (await metric(metrics, 'linkwell_ingest_readings_received_total')) >= 2,
    );
    const afterConnect = (await readCredentials(credentialsPath)).refreshToken;
    expect(afterConnect).not.toBe(linkedWith); // the first token was already a refreshed one, rotation saved

    // Stop the broker and keep it down past the access token's lifetime.
    await ingest!.close();
    ingest = undefined;
    await new Promise((r) => setTimeout(r, (ACCESS_TTL_SECONDS + 1) * 1000));
    await startBroker();

    await until('the gateway to reconnect', () => /uplink reconnected/.test(log), 30_000);
    await until(
      'readings at the restarted broker',
      async () => (await metric(metrics, 'linkwell_ingest_readings_received_total')) >= 3,
    );
    // It never presented the expired token: the restarted broker refused no one.
    expect(await metric(metrics, 'linkwell_ingest_auth_failures_total')).toBe(0);
    expect((await readCredentials(credentialsPath)).refreshToken).not.toBe(afterConnect);
    expect(child.exitCode).toBeNull();
  });

  it('gateway status: after a crash with the broker down, shows the linked gateway, a refreshable token and the waiting readings', async () => {
    await ingest!.close();
    ingest = undefined;
    await new Promise((r) => setTimeout(r, 3000));
    const exited = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGKILL');
    await exited;

    const status = async (...extra: string[]) => {
      const { stdout } = await run(
        process.execPath,
        [
          CLI,
          'gateway',
          'status',
          '--credentials',
          credentialsPath,
          '--outbox-dir',
          join(dir, 'outbox'),
          ...extra,
        ],
        { timeout: 30_000 },
      );
      return stdout;
    };
    const creds = await readCredentials(credentialsPath);
    const s = JSON.parse(await status('--json', '--check')) as GatewayStatus;
    expect(s.credentials).toEqual({
      path: credentialsPath,
      linked: true,
      gatewayId: creds.gatewayId,
      apiUrl: creds.apiUrl,
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    });
    expect(s.token).toMatchObject({ checked: true, ok: true });
    const expiresAt = Date.parse((s.token as { expiresAt: string }).expiresAt);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(ACCESS_TTL_SECONDS * 1000);
    expect(expiresAt).toBeGreaterThan(Date.now() - 1000);
    expect(s.outbox).toMatchObject({ dir: join(dir, 'outbox'), exists: true, damagedLines: 0 });
    expect(s.outbox.items).toBeGreaterThanOrEqual(2);
    expect(s.outbox.bytes).toBeGreaterThan(s.outbox.items * 100);
    const oldest = Date.parse(s.outbox.oldestReadingAt!);
    // A real reading time of this gateway run. Readings taken before the outage can still be waiting
    // (in flight or lingering when the broker went away), so the outage start is no lower bound.
    expect(oldest).toBeGreaterThanOrEqual(childStartedAt);
    expect(oldest).toBeLessThan(Date.now());

    // Reading the outbox changed nothing: the same answer again, now as text and without --check.
    const text = await status();
    expect(text).toContain(`gateway      ${creds.gatewayId}\n`);
    expect(text).toContain(`readings   ${s.outbox.items} waiting, ${s.outbox.bytes} bytes`);
    expect(text).toContain(`oldest     ${s.outbox.oldestReadingAt}`);
    expect(text).toMatch(/token +not checked/);
  });

  it('gateway status --check exits 1 with the refused refresh token; without credentials it says not linked', async () => {
    const stale = join(dir, 'stale.json');
    const creds = await readCredentials(credentialsPath);
    await writeCredentials(stale, { ...creds, refreshToken: 'not-a-refresh-token' });
    const err = await run(
      process.execPath,
      [CLI, 'gateway', 'status', '--credentials', stale, '--check', '--json'],
      {
        timeout: 30_000,
      },
    ).catch((e: { code: number; stdout: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect(JSON.parse((err as { stdout: string }).stdout).token).toMatchObject({
      checked: true,
      ok: false,
      code: 'GATEWAY_ERR_TOKEN_REFRESH',
    });
    const { stdout } = await run(
      process.execPath,
      [
        CLI,
        'gateway',
        'status',
        '--credentials',
        join(dir, 'none.json'),
        '--outbox-dir',
        join(dir, 'no-outbox'),
        '--json',
      ],
      { timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toMatchObject({
      credentials: { linked: false, error: { code: 'GATEWAY_ERR_CREDENTIALS' } },
      token: { checked: false },
      outbox: { exists: false, items: 0, bytes: 0, oldestReadingAt: null },
    });
  });

  it('fails with GATEWAY_ERR_CREDENTIALS when the credentials file is missing', async () => {
    const out = await new Promise<{ code: number | null; stderr: string }>((res) => {
      const p = spawn(process.execPath, [CLI, 'gateway', 'run', '--credentials', join(dir, 'nope.json')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      p.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      p.once('exit', (code) => res({ code, stderr }));
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^GATEWAY_ERR_CREDENTIALS: /m);
    expect(JSON.parse(await readFile(credentialsPath, 'utf8'))).toMatchObject({
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    });
  });
});
