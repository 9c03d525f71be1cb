import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  buildApp,
  createTokenIssuer,
  type Database,
  DEMO_HOME,
  loadOrCreateSigningKeys,
  migrate,
  openPglite,
  seedDemoHome,
} from '@linkwell/api';
import { createSimulatedHome, systemClock } from '@linkwell/device-sim';
import { connectMqttUplink, createGateway, type Gateway } from '@linkwell/gateway';
import { type IngestService, startIngest } from '@linkwell/ingest';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { demoAddresses } from '../demo.js';
import { type ManagedInfluxd, startManagedInfluxd } from './influxd.js';
import { pickPort } from './ports.js';

export interface UpOptions {
  dataDir: string;
  apiPort: number;
  mqttPort: number;
  influxPort: number;
  seed: number;
  intervalMs: number;
  sim: boolean;
  database: string;
}

export interface UpState {
  opts: UpOptions;
  dir: string;
  logger: Logger;
  influxd?: ManagedInfluxd;
  db?: Database;
  keys?: Awaited<ReturnType<typeof loadOrCreateSigningKeys>>;
  ingest?: IngestService;
  api?: { app: FastifyInstance; url: string };
  gateway?: Gateway;
  stopSim?: () => Promise<void>;
  demoToken?: string;
}

export async function prepareDataDir(opts: UpOptions): Promise<UpState> {
  const dir = resolve(opts.dataDir);
  await mkdir(join(dir, 'logs'), { recursive: true });
  // Service logs go to a file so the terminal keeps the progress view; `tail -f data/logs/platform.log` follows them.
  const logger = pino(
    { level: 'info', base: undefined },
    pino.destination({ dest: join(dir, 'logs', 'platform.log'), sync: false }),
  );
  return { opts, dir, logger };
}

export async function startInflux(s: UpState): Promise<void> {
  const http = await pickPort(s.opts.influxPort);
  const rpc = await pickPort(http + 2);
  s.influxd = await startManagedInfluxd(
    join(s.dir, 'influxdb'),
    http,
    rpc,
    join(s.dir, 'logs', 'influxd.log'),
  );
}

export async function startRegistry(s: UpState): Promise<void> {
  s.db = await openPglite(join(s.dir, 'registry'));
  await migrate(s.db);
  await seedDemoHome(s.db);
  s.keys = await loadOrCreateSigningKeys(join(s.dir, 'keys'));
}

export async function startIngestService(s: UpState): Promise<void> {
  const registry = new Registry();
  s.ingest = await startIngest({
    mqtt: { host: '127.0.0.1', port: await pickPort(s.opts.mqttPort) },
    influx: { url: s.influxd!.url, database: s.opts.database },
    registry: s.db!,
    gatewayPublicKeyPem: s.keys!.publicKeyPem,
    dataDir: join(s.dir, 'ingest'),
    logger: s.logger.child({ svc: 'ingest' }),
    metricsRegistry: registry,
  });
}

export async function startApiService(s: UpState): Promise<void> {
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const app = await buildApp({
    db: s.db!,
    influx: { url: s.influxd!.url, database: s.opts.database },
    keys: s.keys!,
    metrics,
    logger: s.logger.child({ svc: 'api' }),
  });
  const port = await pickPort(s.opts.apiPort);
  await app.listen({ host: '127.0.0.1', port });
  s.api = { app, url: `http://127.0.0.1:${port}` };
  s.demoToken = await createTokenIssuer(s.keys!).userToken(DEMO_HOME.accountId, {
    scopes: ['trends:read'],
    ttlSeconds: 30 * 86_400,
  });
}

export async function startSimulatedHome(s: UpState): Promise<void> {
  const home = createSimulatedHome({
    clock: systemClock,
    seed: s.opts.seed,
    addresses: demoAddresses(),
    wristbandIntervalMs: s.opts.intervalMs,
  });
  const token = await createTokenIssuer(s.keys!).gatewayToken(DEMO_HOME.gatewayId, {
    ttlSeconds: 30 * 86_400,
  });
  const uplink = await connectMqttUplink({
    url: s.ingest!.mqttUrl,
    gatewayId: DEMO_HOME.gatewayId,
    token,
    version: '0.1.0',
    logger: s.logger.child({ svc: 'gateway' }),
  });
  s.gateway = createGateway({
    id: DEMO_HOME.gatewayId,
    central: home.radio,
    uplink,
    logger: s.logger.child({ svc: 'gateway' }),
    outbox: { dir: join(s.dir, 'gateway', 'outbox') },
  });
  await s.gateway.start();
  s.stopSim = async () => {
    await s.gateway?.stop();
    await uplink.close();
  };
}

export interface UpSummary {
  api: string;
  token: string;
  mqtt: string;
  influx: string;
  influxVersion: string;
  database: string;
  account: string;
  logs: string;
  pid: number;
}

export async function writeUpJson(s: UpState): Promise<UpSummary> {
  const summary: UpSummary = {
    api: s.api!.url,
    token: s.demoToken!,
    mqtt: s.ingest!.mqttUrl,
    influx: s.influxd!.url,
    influxVersion: s.influxd!.version,
    database: s.opts.database,
    account: DEMO_HOME.accountId,
    logs: join(s.dir, 'logs'),
    pid: process.pid,
  };
  await writeFile(join(s.dir, 'up.json'), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
  return summary;
}

/** Stops in reverse order of start so nothing is written to a service that is already gone. */
export async function stopAll(s: UpState): Promise<void> {
  const step = async (fn: (() => Promise<unknown>) | undefined) => {
    try {
      await fn?.();
    } catch (err) {
      s.logger.error({ err }, 'error while stopping');
    }
  };
  await step(s.stopSim);
  await step(s.api && (() => s.api!.app.close()));
  await step(s.ingest && (() => s.ingest!.close()));
  await step(s.db && (() => s.db!.close()));
  await step(s.influxd && (() => s.influxd!.stop()));
  s.logger.flush();
}
