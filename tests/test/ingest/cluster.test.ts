import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import { fleetGateway, GatewayEnvelopes, gatewayTokenCredentials, runFleet } from '@linkwell/device-sim';
import type { IngestService } from '@linkwell/ingest';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetAccountId, seedFleetRegistry } from '../../src/bench/fleet-registry.js';
import { startTestIngest } from '../../src/demo-platform.js';
import {
  influxQuery,
  type RunningInfluxd,
  type RunningRedis,
  startInfluxd,
  startRedis,
} from '../../src/harness/index.js';

const DATABASE = 'cluster';
const FLEET = { gateways: 3, devicesPerGateway: 2 };
const PREFIXES = ['ca', 'cb', 'cc'] as const;

type Series = { tags?: Record<string, string>; values: [string, number][] }[];

/** heart_rate points per account tag. */
async function pointsPerAccount(url: string): Promise<Map<string, number>> {
  const body = (await influxQuery(
    url,
    `SELECT count("bpm") FROM "${DATABASE}"."autogen"."heart_rate" GROUP BY "account"`,
  )) as { results: { series?: Series }[] };
  return new Map((body.results[0]?.series ?? []).map((s) => [s.tags!.account!, s.values[0]![1]]));
}

function pointsOf(counts: Map<string, number>, prefix: string): number {
  return Array.from({ length: FLEET.gateways }, (_, i) => counts.get(fleetAccountId(i, prefix)) ?? 0).reduce(
    (a, b) => a + b,
    0,
  );
}

function nextMessage(client: MqttClient, topic: string) {
  return new Promise<{ payload: string; qos: number }>((resolve) => {
    const on = (t: string, payload: Buffer, packet: { qos: number }) => {
      if (t !== topic) return;
      client.off('message', on);
      resolve({ payload: payload.toString(), qos: packet.qos });
    };
    client.on('message', on);
  });
}

describe('cluster mode: two ingest nodes sharing sessions and deliveries through a real Redis', () => {
  let influx: RunningInfluxd;
  let redis: RunningRedis;
  let db: Database;
  let dir: string;
  let nodeA: IngestService;
  let nodeB: IngestService;
  const clients: MqttClient[] = [];
  const keys = generateSigningKeys();
  const credentials = gatewayTokenCredentials(keys.privateKeyPem);

  const connect = async (url: string, gw: string, opts: mqtt.IClientOptions = {}) => {
    const client = await mqtt.connectAsync(url, {
      ...credentials(gw),
      reconnectPeriod: 0,
      protocolVersion: 4,
      ...opts,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    [influx, redis] = await Promise.all([startInfluxd(), startRedis()]);
    dir = await mkdtemp(join(tmpdir(), 'lw-cluster-'));
    db = await openPglite();
    await migrate(db);
    for (const idPrefix of PREFIXES) await seedFleetRegistry(db, { ...FLEET, idPrefix });
    const node = (name: string) =>
      startTestIngest({
        influxUrl: influx.url,
        database: DATABASE,
        registry: db,
        gatewayPublicKeyPem: keys.publicKeyPem,
        dataDir: join(dir, name),
        cluster: { redisUrl: redis.url },
      });
    nodeA = await node('a');
    nodeB = await node('b');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await Promise.all([nodeA?.close(), nodeB?.close()]);
    await db?.close();
    await Promise.all([influx?.stop(), redis?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('delivers a command published on node B to a gateway connected to node A', async () => {
    const gw = fleetGateway(0, 1, 'ca').id;
    const gateway = await connect(nodeA.mqttUrl, gw);
    await gateway.subscribeAsync(`lw/v1/gw/${gw}/cmd`, { qos: 1 });

    const received = nextMessage(gateway, `lw/v1/gw/${gw}/cmd`);
    await nodeB.publish(`lw/v1/gw/${gw}/cmd`, JSON.stringify({ v: 1, id: 'cmd-1', op: 'ping' }));

    expect(await received).toEqual({ payload: '{"v":1,"id":"cmd-1","op":"ping"}', qos: 1 });
  });

  it("resolves node B's sendCommand with the result of a gateway connected to node A", async () => {
    const gw = fleetGateway(0, 1, 'cb').id;
    const gateway = await connect(nodeA.mqttUrl, gw);
    await gateway.subscribeAsync(`lw/v1/gw/${gw}/cmd`, { qos: 1 });
    gateway.on('message', (topic, payload) => {
      if (topic !== `lw/v1/gw/${gw}/cmd`) return;
      const { tid } = JSON.parse(payload.toString()) as { tid: string };
      const result = { v: 1, gw, tid, status: 'ok', data: { answeredBy: 'node-a-gateway' } };
      void gateway.publishAsync(`lw/v1/gw/${gw}/cmd/result`, JSON.stringify(result), { qos: 1 });
    });

    const result = await nodeB.sendCommand!(gw, { op: 'sync' }, { timeoutMs: 5_000 });

    expect(result).toMatchObject({ gw, status: 'ok', data: { answeredBy: 'node-a-gateway' } });
  });

  it('queues a command for an offline persistent session made on node A and delivers it on node B', async () => {
    const gw = fleetGateway(1, 1, 'ca').id;
    const session = { clientId: `${gw}-session`, clean: false };
    const first = await connect(nodeA.mqttUrl, gw, session);
    await first.subscribeAsync(`lw/v1/gw/${gw}/cmd`, { qos: 1 });
    await first.endAsync();

    await nodeB.publish(`lw/v1/gw/${gw}/cmd`, JSON.stringify({ v: 1, id: 'cmd-2', op: 'ping' }));

    // Connect without auto-subscribing: whatever arrives can only come from the stored session.
    const again = mqtt.connect(nodeB.mqttUrl, { ...credentials(gw), ...session, reconnectPeriod: 0 });
    clients.push(again);
    const received = nextMessage(again, `lw/v1/gw/${gw}/cmd`);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve) =>
      again.once('connect', resolve),
    );
    expect(connack.sessionPresent).toBe(true);
    expect(await received).toEqual({ payload: '{"v":1,"id":"cmd-2","op":"ping"}', qos: 1 });
  });

  it('stores every reading acknowledged by either node exactly once', async () => {
    const before = await pointsPerAccount(influx.url);
    const run = (brokerUrl: string, idPrefix: string) =>
      runFleet({
        brokerUrl,
        ...FLEET,
        idPrefix,
        readingsPerMessage: 4,
        rate: 120,
        durationS: 1.5,
        credentials,
      });
    const [viaA, viaB] = await Promise.all([run(nodeA.mqttUrl, 'cb'), run(nodeB.mqttUrl, 'cc')]);
    for (const report of [viaA, viaB]) {
      expect(report).toMatchObject({ connected: 3, failed: 0, connectFailures: 0 });
      expect(report.acknowledged).toBeGreaterThan(50);
    }

    // PUBACK comes after the durable write, so the counts are final once both runs returned.
    const after = await pointsPerAccount(influx.url);
    expect(pointsOf(after, 'cb') - pointsOf(before, 'cb')).toBe(viaA.acknowledged * 4);
    expect(pointsOf(after, 'cc') - pointsOf(before, 'cc')).toBe(viaB.acknowledged * 4);
  });

  it('keeps storing and acknowledging readings on a connected gateway while Redis is down', async () => {
    const identity = fleetGateway(2, FLEET.devicesPerGateway, 'ca');
    const gateway = await connect(nodeA.mqttUrl, identity.id);
    const envelopes = new GatewayEnvelopes(identity, 7, Date.now);
    const account = fleetAccountId(2, 'ca');
    const before = (await pointsPerAccount(influx.url)).get(account) ?? 0;

    await redis.stop();
    for (let i = 0; i < 5; i++) {
      await gateway.publishAsync(`lw/v1/gw/${identity.id}/readings`, envelopes.next(3), { qos: 1 });
    }

    expect((await pointsPerAccount(influx.url)).get(account)).toBe(before + 15);
    expect(gateway.connected).toBe(true);
  });
});
