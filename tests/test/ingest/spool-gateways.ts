import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { createTokenIssuer, type Database, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import { createSimulatedHome, fleetIdentities, ManualClock } from '@linkwell/device-sim';
import { connectMqttUplink, createGateway, type Gateway, type MqttUplink } from '@linkwell/gateway';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { fleetAccountId, seedFleetRegistry } from '../../src/bench/fleet-registry.js';
import { influxQuery } from '../../src/harness/index.js';

/** Shared by the InfluxDB-outage and spool-full tests: in-process gateways streaming to a real ingest. */

const silent = pino({ level: 'silent' });

export interface Fleet {
  prefix: string;
  gateways: number;
  keys: ReturnType<typeof generateSigningKeys>;
}

/** A registry with `gateways` households, each owning a wristband, a cuff and a scale worn by its account. */
export async function openFleetRegistry(
  prefix: string,
  gateways: number,
): Promise<{ db: Database; fleet: Fleet }> {
  const db = await openPglite();
  await migrate(db);
  await seedFleetRegistry(db, { gateways, devicesPerGateway: 3, idPrefix: prefix });
  return { db, fleet: { prefix, gateways, keys: generateSigningKeys() } };
}

export interface TestGateway {
  id: string;
  account: string;
  clock: ManualClock;
  home: ReturnType<typeof createSimulatedHome>;
  gateway: Gateway;
  uplink: MqttUplink;
  /** One simulated second: the wristband notifies once, and the gateway takes the reading. */
  step(): Promise<void>;
  close(): Promise<void>;
}

export async function startGateways(
  fleet: Fleet,
  o: { mqttUrl: string; dir: string; start: number; outboxMaxItems?: number },
): Promise<TestGateway[]> {
  const issuer = createTokenIssuer(fleet.keys);
  const out: TestGateway[] = [];
  for (const identity of fleetIdentities({
    gateways: fleet.gateways,
    devicesPerGateway: 3,
    idPrefix: fleet.prefix,
  })) {
    const [band, cuff, scale] = identity.devices;
    if (!band || !cuff || !scale) throw new Error(`${identity.id} was seeded without its three devices`);
    const clock = new ManualClock(o.start);
    const home = createSimulatedHome({
      clock,
      seed: 100 + identity.index,
      addresses: { wristband: band.address, bpCuff: cuff.address, scale: scale.address },
    });
    const uplink = await connectMqttUplink({
      url: o.mqttUrl,
      gatewayId: identity.id,
      token: issuer.gatewayToken(identity.id),
      version: 'spool-test',
      reconnect: { initialMs: 100, maxMs: 400 },
    });
    const gateway = createGateway({
      id: identity.id,
      central: home.radio,
      uplink,
      logger: silent,
      now: () => clock.now(),
      batch: { maxReadings: 50, lingerMs: 5 },
      outbox: {
        dir: await mkdtemp(join(o.dir, `outbox-${identity.id}-`)),
        ...(o.outboxMaxItems ? { maxItems: o.outboxMaxItems } : {}),
      },
      publishRetry: { initialMs: 100, maxMs: 400 },
    });
    await gateway.start();
    out.push({
      id: identity.id,
      account: fleetAccountId(identity.index, fleet.prefix),
      clock,
      home,
      gateway,
      uplink,
      async step() {
        clock.advance(1000);
        await gateway.flush();
      },
      async close() {
        await gateway.stop();
        await uplink.close();
        home.home.dispose();
      },
    });
  }
  return out;
}

/** An account's heart_rate points in InfluxDB: raw row count and epoch ms → bpm. */
export async function storedHeartRate(url: string, account: string) {
  const body = (await influxQuery(
    url,
    `SELECT bpm FROM "linkwell"."autogen"."heart_rate" WHERE "account" = '${account}'`,
  )) as { results: { series?: { values: [string, number][] }[] }[] };
  const rows = body.results[0]?.series?.[0]?.values ?? [];
  const byTime = new Map<number, number>();
  for (const [t, bpm] of rows) byTime.set(Date.parse(t), bpm);
  return { rows: rows.length, byTime };
}

/** What the simulated wristband sent, as [epoch ms, bpm] in time order, for comparison with `byTime`. */
export const sentPoints = (g: TestGateway) =>
  g.home.wristband.sent.map((s) => [s.at, s.bpm] as [number, number]).sort((a, b) => a[0] - b[0]);

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const values = (await metric.get()).values.filter((v) =>
    Object.entries(labels).every(([k, val]) => v.labels[k] === val),
  );
  return values.reduce((s, v) => s + v.value, 0);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const logger = silent;
