import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import { type SimHome, type SimulatedBluez, startSimulatedBluez } from '@linkwell/device-sim';
import {
  connectMqttUplink,
  createGateway,
  createNodeBleCentral,
  type Gateway,
  type MqttUplink,
} from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import { pino } from 'pino';
import { startTestIngest } from '../demo-platform.js';
import { type RunningDbusDaemon, startDbusDaemon, startInfluxd } from '../harness/index.js';
import { type IdentityStack, startIdentityStack } from '../identity/index.js';

export interface HouseholdPlatform {
  /** The API's URL, which serves the console too. */
  readonly url: string;
  readonly db: Database;
  readonly influxUrl: string;
  readonly ingest: IngestService;
  readonly stack: IdentityStack;
  /** A fresh temporary directory (ingest data, gateway credentials and outbox), deleted by close(). */
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * The whole platform a household uses, real parts only, on loopback: InfluxDB (influxd), one registry
 * (PGlite, migrated, no demo seed: everything is made through the API), ingest with its embedded broker,
 * and the API serving the console with identity-sim's providers and RFC 8628 onboarding pointed at that
 * broker. The API and ingest share the database and the signing keys, as in production.
 */
export async function startHouseholdPlatform(): Promise<HouseholdPlatform> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'lw-household-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const influx = await startInfluxd();
    closers.push(() => influx.stop());
    const db = await openPglite();
    closers.push(() => db.close());
    await migrate(db);
    const keys = generateSigningKeys();
    const ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
    });
    closers.push(() => ingest.close());
    const stack = await startIdentityStack({
      console: true,
      db,
      keys,
      influx: { url: influx.url, database: 'linkwell' },
      // 1 s polling keeps onboarding quick; the rest keeps its production defaults.
      deviceFlow: { intervalSeconds: 1, mqttUrl: ingest.mqttUrl },
    });
    closers.push(() => stack.close());
    return { url: stack.apiUrl, db, influxUrl: influx.url, ingest, stack, dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface RunningHomeGateway {
  readonly gateway: Gateway;
  readonly uplink: MqttUplink;
  readonly busAddress: string;
  close(): Promise<void>;
}

/**
 * A real gateway for `home`: the simulated BlueZ on a private dbus-daemon, unmodified node-ble through the
 * gateway's adapter, and the MQTT uplink to ingest with the token the onboarding issued. `users` are the
 * UDS users it may read (index and consent code per scale), as the gateway's users option takes them.
 */
export async function runHomeGateway(opts: {
  home: SimHome;
  gatewayId: string;
  token: string;
  mqttUrl: string;
  dir: string;
  users?: { address: string; index: number; consent: number }[];
}): Promise<RunningHomeGateway> {
  const silent = pino({ level: 'silent' });
  const daemon: RunningDbusDaemon = await startDbusDaemon();
  const bluez: SimulatedBluez = await startSimulatedBluez({
    busAddress: daemon.address,
    peripherals: opts.home.peripherals,
  });
  const previous = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  // node-ble finds the system bus through the environment, as BlueZ clients do.
  process.env.DBUS_SYSTEM_BUS_ADDRESS = daemon.address;
  const central = await createNodeBleCentral({
    timeouts: { discoverMs: 5000, connectMs: 10_000, servicesMs: 10_000 },
    pairing: { passkeyFor: () => undefined },
  });
  const uplink = await connectMqttUplink({
    url: opts.mqttUrl,
    gatewayId: opts.gatewayId,
    token: opts.token,
    version: 'console-e2e',
    reconnect: { initialMs: 100, maxMs: 500 },
  });
  const gateway = createGateway({
    id: opts.gatewayId,
    central,
    uplink,
    logger: silent,
    batch: { maxReadings: 50, lingerMs: 5 },
    outbox: { dir: join(opts.dir, 'outbox') },
    ...(opts.users ? { users: opts.users } : {}),
    uds: { quietMs: 500 },
    reconnect: { initialMs: 100, maxMs: 500 },
  });
  await gateway.start();
  return {
    gateway,
    uplink,
    busAddress: daemon.address,
    async close() {
      await gateway.stop().catch(() => undefined);
      await uplink.close().catch(() => undefined);
      await central.close().catch(() => undefined);
      await bluez.stop();
      await daemon.stop();
      if (previous === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = previous;
    },
  };
}
