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
  type ProviderConfig,
  seedDemoHousehold,
} from '@linkwell/api';
import {
  createSimulatedHome,
  DEMO_SCALE_USERS,
  demoHouseholdSchedule,
  SimNobleBindings,
  startPrivateBus,
  startSimulatedBluez,
  systemClock,
} from '@linkwell/device-sim';
import type { BleCentral } from '@linkwell/firmware-protocol';
import {
  connectMqttUplink,
  createGateway,
  createNobleCentral,
  createNodeBleCentral,
  type Gateway,
  loadNobleWithBindings,
  type MqttUplink,
  UnpairedDevices,
} from '@linkwell/gateway';
import { type IngestService, startIngest } from '@linkwell/ingest';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { demoAddresses, demoHouseholdAddresses } from '../demo.js';
import type { TransportKind } from '../gateway/transports.js';
import { type BackfillResult, backfillDemoHistory } from './backfill.js';
import { DEMO_SIGN_IN } from './identity.js';
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
  /** Which BLE stack the demo gateway uses to reach the simulated home (docs/device-sim.md). */
  transport: TransportKind;
  /** First of three preferred ports for the simulated identity providers (Google-like, Apple-like, WeChat-style). */
  idpPort: number;
  /** Base period of the cuff's and the scale's compressed daily schedule, in seconds (`demoSchedule`). */
  measureEvery: number;
  /** Back-fill 30 days of the demo account's history on first start (false: `--no-backfill`). */
  backfill: boolean;
}

export interface UpState {
  opts: UpOptions;
  dir: string;
  logger: Logger;
  influxd?: ManagedInfluxd;
  db?: Database;
  keys?: Awaited<ReturnType<typeof loadOrCreateSigningKeys>>;
  oauthKeys?: Awaited<ReturnType<typeof loadOrCreateSigningKeys>>;
  ingest?: IngestService;
  api?: { app: FastifyInstance; url: string };
  /** Chosen before the providers start: their redirect URIs name it. */
  apiPort?: number;
  identity?: { providers: ProviderConfig[]; close: () => Promise<void> };
  gateway?: Gateway;
  /** The demo gateway's MQTT uplink; the history backfill publishes through it too. */
  uplink?: MqttUplink;
  backfill?: BackfillResult;
  stopSim?: () => Promise<void>;
  demoToken?: string;
  /** The simulated BlueZ's bus when the gateway runs on node-ble. */
  dbusAddress?: string;
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
  // The first adult is the demo account 李伟 signs in to (cli/src/up/identity.ts).
  await seedDemoHousehold(s.db, { displayName: DEMO_SIGN_IN.person });
  s.keys = await loadOrCreateSigningKeys(join(s.dir, 'keys'));
  s.oauthKeys = await loadOrCreateSigningKeys(join(s.dir, 'keys'), 'oauth-es256');
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
    // Trend rollups (docs/rollups.md): the first build runs at start, then the journal is applied every 5 s.
    rollups: { enabled: true },
    // The registry is the embedded PGlite: smaller outbox rows keep each relay transaction short.
    events: { maxLines: 1000 },
  });
}

export async function startApiService(s: UpState): Promise<void> {
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const port = s.apiPort ?? (await pickPort(s.opts.apiPort));
  const app = await buildApp({
    db: s.db!,
    influx: { url: s.influxd!.url, database: s.opts.database },
    keys: s.keys!,
    oauthKeys: s.oauthKeys!,
    metrics,
    logger: s.logger.child({ svc: 'api' }),
    identity: { publicUrl: `http://127.0.0.1:${port}`, providers: s.identity?.providers ?? [] },
    fhirExports: { dir: join(s.dir, 'exports') },
    // The CRM follows the event log and syncs destinations, as `linkwell api` does by default (docs/crm.md).
    crmTraits: { consumer: true },
    crmDestinations: { worker: true, intervalMs: 60_000 },
    console: true,
  });
  await app.listen({ host: '127.0.0.1', port });
  s.api = { app, url: `http://127.0.0.1:${port}` };
  s.demoToken = await createTokenIssuer(s.keys!).userToken(DEMO_HOME.accountId, {
    ttlSeconds: 30 * 86_400,
  });
}

/**
 * The demo household and its gateway. With `sim` the gateway reaches the devices over the in-memory radio;
 * with `node-ble` they are served by the simulated BlueZ on a private dbus-daemon and the gateway uses
 * unmodified node-ble; with `noble` noble's own state machine runs over the simulated bindings.
 */
async function openHomeTransport(
  s: UpState,
  home: ReturnType<typeof createSimulatedHome>,
): Promise<{ central: BleCentral; close: () => Promise<void> }> {
  const logger = s.logger.child({ svc: 'ble' });
  if (s.opts.transport === 'sim') return { central: home.radio, close: async () => {} };
  if (s.opts.transport === 'noble') {
    const bindings = new SimNobleBindings({ peripherals: home.home.peripherals });
    const central = createNobleCentral({ noble: loadNobleWithBindings(bindings), logger });
    return { central, close: () => central.close() };
  }
  const bus = await startPrivateBus();
  const bluez = await startSimulatedBluez({
    busAddress: bus.address,
    peripherals: home.home.peripherals,
    logger,
  });
  // node-ble reads the system bus address from the environment (BlueZ's documented client contract).
  process.env.DBUS_SYSTEM_BUS_ADDRESS = bus.address;
  s.dbusAddress = bus.address;
  const central = await createNodeBleCentral({ logger });
  return {
    central,
    async close() {
      await central.close();
      await bluez.stop();
      await bus.stop();
    },
  };
}

export async function startSimulatedHome(s: UpState): Promise<void> {
  const home = createSimulatedHome({
    clock: systemClock,
    seed: s.opts.seed,
    addresses: demoHouseholdAddresses(),
    wristbandIntervalMs: s.opts.intervalMs,
    schedule: demoHouseholdSchedule(s.opts.measureEvery),
  });
  const radio = await openHomeTransport(s, home);
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
  const stateDir = join(s.dir, 'gateway', 'state');
  s.gateway = createGateway({
    id: DEMO_HOME.gatewayId,
    central: radio.central,
    uplink,
    logger: s.logger.child({ svc: 'gateway' }),
    outbox: { dir: join(s.dir, 'gateway', 'outbox') },
    racpSync: { stateDir },
    unpaired: await UnpairedDevices.openIn(stateDir),
    // The scale's users 1 and 2 are the slots the demo registry maps to the two adults; the gateway
    // gives each its UDS consent code on every link (UDS §4.14.2, Consent procedure).
    users: DEMO_SCALE_USERS.map((u) => ({
      address: demoAddresses().scale,
      index: u.index,
      consent: u.consent,
    })),
    // The simulated scale stays awake, so the gateway revisits its users once a schedule period; each user's
    // weighings arrive within about a period of being taken.
    uds: { revisitMs: s.opts.measureEvery * 1000 },
  });
  s.uplink = uplink;
  await s.gateway.start();
  s.stopSim = async () => {
    await s.gateway?.stop();
    await uplink.close();
    await radio.close();
    home.home.dispose();
  };
}

/**
 * 30 days of the demo account's history, once per data dir, published as the demo gateway through ingest
 * (cli/src/up/backfill.ts). Needs the simulated home's uplink.
 */
export async function backfillHistory(
  s: UpState,
  onProgress?: (done: number, total: number) => void,
): Promise<BackfillResult> {
  const uplink = s.uplink!;
  s.backfill = await backfillDemoHistory({
    dir: s.dir,
    seed: s.opts.seed,
    gatewayId: DEMO_HOME.gatewayId,
    addresses: demoAddresses(),
    secondUser: true,
    publish: (env) => uplink.publishReadings(env),
    ...(onProgress ? { onProgress } : {}),
  });
  return s.backfill;
}

export interface UpSummary {
  api: string;
  /** The web console: sign in there as a demo person. */
  console: string;
  /** Identity providers offered on the sign-in page. */
  providers: string[];
  token: string;
  mqtt: string;
  influx: string;
  influxVersion: string;
  database: string;
  account: string;
  logs: string;
  pid: number;
  transport: TransportKind;
  /** With `--transport node-ble`: the simulated BlueZ's bus, for DBUS_SYSTEM_BUS_ADDRESS. */
  dbus?: string;
}

export async function writeUpJson(s: UpState): Promise<UpSummary> {
  const summary: UpSummary = {
    api: s.api!.url,
    console: `${s.api!.url}/`,
    providers: (s.identity?.providers ?? []).map((p) => p.id),
    token: s.demoToken!,
    mqtt: s.ingest!.mqttUrl,
    influx: s.influxd!.url,
    influxVersion: s.influxd!.version,
    database: s.opts.database,
    account: DEMO_HOME.accountId,
    logs: join(s.dir, 'logs'),
    pid: process.pid,
    transport: s.opts.transport,
    ...(s.dbusAddress ? { dbus: s.dbusAddress } : {}),
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
  await step(s.identity?.close);
  await step(s.ingest && (() => s.ingest!.close()));
  await step(s.db && (() => s.db!.close()));
  await step(s.influxd && (() => s.influxd!.stop()));
  s.logger.flush();
}
