import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import {
  createGatewayTokenSigner,
  FleetConnectError,
  gatewayTokenCredentials,
  runFleet,
} from '@linkwell/device-sim';
import { createGatewayTokenVerifier, type IngestService, startIngest } from '@linkwell/ingest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetAccountId, seedFleetRegistry } from '../../src/bench/fleet-registry.js';
import { influxQuery, type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';

const DATABASE = 'fleet';
const FLEET = { gateways: 6, devicesPerGateway: 2 };

type Series = { tags?: Record<string, string>; values: [string, number][] }[];

/** heart_rate points per account tag, straight from InfluxDB. */
async function pointsPerAccount(url: string): Promise<Map<string, number>> {
  const body = (await influxQuery(
    url,
    `SELECT count("bpm") FROM "${DATABASE}"."autogen"."heart_rate" GROUP BY "account"`,
  )) as { results: { series?: Series }[] };
  return new Map((body.results[0]?.series ?? []).map((s) => [s.tags!.account!, s.values[0]![1]]));
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('fleet → ingest (Aedes, ES256 gateway tokens) → InfluxDB', () => {
  let influx: RunningInfluxd;
  let db: Database;
  let ingest: IngestService;
  let dataDir: string;
  const keys = generateSigningKeys();

  beforeAll(async () => {
    influx = await startInfluxd();
    dataDir = await mkdtemp(join(tmpdir(), 'lw-fleet-ingest-'));
    db = await openPglite();
    await migrate(db);
    await seedFleetRegistry(db, FLEET);
    ingest = await startIngest({
      mqtt: { host: '127.0.0.1', port: 0 },
      influx: { url: influx.url, database: DATABASE },
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir,
      logger: pino({ level: 'silent' }),
      metricsRegistry: new Registry(),
    });
  });

  afterAll(async () => {
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('mints tokens that ingest’s own verifier accepts for that gateway only, and rejects once expired', () => {
    const verify = createGatewayTokenVerifier(keys.publicKeyPem);
    const token = createGatewayTokenSigner(keys.privateKeyPem)('fleet-gw-0003');
    expect(verify('fleet-gw-0003', Buffer.from(token))).toBe('fleet-gw-0003');
    expect(verify('fleet-gw-0004', Buffer.from(token))).toBeUndefined();
    const stale = createGatewayTokenSigner(keys.privateKeyPem, {
      ttlSeconds: 60,
      now: () => Date.now() - 3_600_000,
    });
    expect(verify('fleet-gw-0003', Buffer.from(stale('fleet-gw-0003')))).toBeUndefined();
  });

  it('stores every acknowledged reading in InfluxDB under the account the registry names (paced)', async () => {
    const before = total(await pointsPerAccount(influx.url));
    const report = await runFleet({
      brokerUrl: ingest.mqttUrl,
      ...FLEET,
      readingsPerMessage: 3,
      rate: 300,
      durationS: 1.5,
      credentials: gatewayTokenCredentials(keys.privateKeyPem),
    });
    expect(report).toMatchObject({ connected: 6, publishingGateways: 6, failed: 0, connectFailures: 0 });
    expect(report.sent).toBeGreaterThan(0);
    expect(report.acknowledged).toBe(report.sent);

    const after = await pointsPerAccount(influx.url);
    expect(total(after) - before).toBe(report.acknowledged * 3);
    expect([...after.keys()].sort()).toEqual(Array.from({ length: 6 }, (_, i) => fleetAccountId(i)));
  });

  it('stores every acknowledged reading when publishing unpaced (PUBACK only after the write)', async () => {
    const before = total(await pointsPerAccount(influx.url));
    const report = await runFleet({
      brokerUrl: ingest.mqttUrl,
      ...FLEET,
      readingsPerMessage: 1,
      rate: 0,
      inflight: 8,
      durationS: 1,
      credentials: gatewayTokenCredentials(keys.privateKeyPem),
    });
    expect(report.acknowledged).toBe(report.sent);
    expect(report.failed).toBe(0);
    expect(total(await pointsPerAccount(influx.url)) - before).toBe(report.acknowledged);
  });

  it('counts gateways with a foreign token as connect failures and lets the others publish', async () => {
    const good = gatewayTokenCredentials(keys.privateKeyPem);
    const foreign = gatewayTokenCredentials(generateSigningKeys().privateKeyPem);
    const report = await runFleet({
      brokerUrl: ingest.mqttUrl,
      ...FLEET,
      readingsPerMessage: 1,
      rate: 60,
      durationS: 0.5,
      credentials: (gw) => (gw.endsWith('1') || gw.endsWith('2') ? foreign(gw) : good(gw)),
    });
    expect(report).toMatchObject({ connected: 4, publishingGateways: 4, connectFailures: 2, failed: 0 });
    expect(report.errors).toEqual({ 'connect: Connection refused: Bad username or password (CONNACK 4)': 2 });
  });

  it('throws SIM_ERR_FLEET_CONNECT naming the CONNACK reason when the signing key is wrong', async () => {
    const err = await runFleet({
      brokerUrl: ingest.mqttUrl,
      ...FLEET,
      readingsPerMessage: 1,
      rate: 10,
      durationS: 1,
      credentials: gatewayTokenCredentials(generateSigningKeys().privateKeyPem),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetConnectError);
    expect(err).toMatchObject({ code: 'SIM_ERR_FLEET_CONNECT' });
    expect((err as Error).message).toContain('Bad username or password (CONNACK 4)');
    expect((err as FleetConnectError).report).toMatchObject({ connectFailures: 6, connected: 0, sent: 0 });
  });

  it('is refused with "Unacceptable protocol version" over MQTT 5, which the Aedes broker does not speak', async () => {
    const err = await runFleet({
      brokerUrl: ingest.mqttUrl,
      gateways: 1,
      devicesPerGateway: 1,
      readingsPerMessage: 1,
      rate: 10,
      durationS: 1,
      protocolVersion: 5,
      credentials: gatewayTokenCredentials(keys.privateKeyPem),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SIM_ERR_FLEET_CONNECT' });
    expect((err as Error).message).toMatch(/CONNACK (1|132)\)/);
  });
});
