import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import { gatewayTokenCredentials } from '@linkwell/device-sim';
import type { IngestService } from '@linkwell/ingest';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIngest } from '../../src/demo-platform.js';
import { startInfluxd, startRedis } from '../../src/harness/index.js';
import { eventually } from '../../src/wait.js';

const GW = 'gw_cluster_ops';
const COMMANDS = 8;

/**
 * Two ingest nodes in cluster mode (Aedes over Redis) sharing one registry: the gateway is connected to
 * node A, and queued commands are announced to both. Every command runs exactly once whichever node claims
 * it, and presence and nearby writes from both nodes' subscriptions agree.
 */
describe('platform bridge in cluster mode', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let db: Database;
  let nodeA: IngestService;
  let nodeB: IngestService;
  let dir: string;
  let gateway: MqttClient;
  const keys = generateSigningKeys();
  const credentials = gatewayTokenCredentials(keys.privateKeyPem);
  const received: string[] = [];

  beforeAll(async () => {
    [influx, redis] = await Promise.all([startInfluxd(), startRedis()]);
    dir = await mkdtemp(join(tmpdir(), 'lw-platform-cluster-'));
    db = await openPglite();
    await migrate(db);
    await db.exec(`
      INSERT INTO households (id, name) VALUES ('hh_cluster', 'Cluster home');
      INSERT INTO gateways (id, household_id, name) VALUES ('${GW}', 'hh_cluster', 'Hub');
    `);
    const node = (name: string) =>
      startTestIngest({
        influxUrl: influx.url,
        registry: db,
        gatewayPublicKeyPem: keys.publicKeyPem,
        dataDir: join(dir, name),
        cluster: { redisUrl: redis.url },
        platform: {
          commands: { pollMs: 100, answerGraceMs: 2000 },
          reports: { sweepMs: 100, nearbyStaleMs: 60_000 },
        },
      });
    nodeA = await node('a');
    nodeB = await node('b');
    gateway = await mqtt.connectAsync(nodeA.mqttUrl, {
      ...credentials(GW),
      clientId: `lw-gw-${GW}`,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    await gateway.subscribeAsync(`lw/v1/gw/${GW}/cmd`, { qos: 1 });
    // A minimal gateway: answers each command with the tid it got.
    gateway.on('message', (topic, payload) => {
      if (topic !== `lw/v1/gw/${GW}/cmd`) return;
      const { tid, cmd } = JSON.parse(payload.toString()) as { tid: string; cmd: { op: string } };
      received.push(tid);
      const result = { v: 1, gw: GW, tid, status: 'ok', data: { op: cmd.op } };
      void gateway.publishAsync(`lw/v1/gw/${GW}/cmd/result`, JSON.stringify(result), { qos: 1 });
    });
  });

  afterAll(async () => {
    await gateway?.endAsync(true).catch(() => {});
    await Promise.all([nodeA?.close(), nodeB?.close()]);
    await db?.close();
    await Promise.all([influx?.stop(), redis?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores the status and a discovered device once, whichever node sees them', async () => {
    await gateway.publishAsync(
      `lw/v1/gw/${GW}/status`,
      JSON.stringify({ v: 1, gw: GW, state: 'online', version: '9.9.9' }),
      { qos: 1, retain: true },
    );
    await gateway.publishAsync(
      `lw/v1/gw/${GW}/events`,
      JSON.stringify({
        v: 1,
        gw: GW,
        type: 'device.discovered',
        address: 'D0:00:00:00:00:21',
        profile: 'sig.heart-rate',
        name: 'Band',
        rssi: -70,
      }),
      { qos: 1 },
    );
    // An event claiming another gateway on this gateway's topic is ignored.
    await gateway.publishAsync(
      `lw/v1/gw/${GW}/events`,
      JSON.stringify({
        v: 1,
        gw: 'gw_other',
        type: 'device.discovered',
        address: 'D0:00:00:00:00:22',
        profile: 'x',
      }),
      { qos: 1 },
    );
    const presence = await eventually('presence', async () => {
      const { rows } = await db.query<{ online: boolean; version: string }>(
        'SELECT online, version FROM gateway_presence WHERE gateway_id = $1',
        [GW],
      );
      return rows[0];
    });
    expect(presence).toEqual({ online: true, version: '9.9.9' });
    const nearby = await eventually('nearby', async () => {
      const { rows } = await db.query(
        'SELECT address, name, profile_id, rssi FROM nearby_devices ORDER BY address',
      );
      return rows.length > 0 ? rows : undefined;
    });
    await Promise.all([nodeA.platform!.settled(), nodeB.platform!.settled()]);
    expect(
      (await db.query('SELECT address, name, profile_id, rssi FROM nearby_devices ORDER BY address')).rows,
    ).toEqual([{ address: 'D0:00:00:00:00:21', name: 'Band', profile_id: 'sig.heart-rate', rssi: -70 }]);
    expect(nearby).toHaveLength(1);
  });

  it('drops a nearby device not heard for longer than nearbyStaleMs', async () => {
    await db.query(
      `INSERT INTO nearby_devices (gateway_id, address, profile_id, seen_at) VALUES ($1, 'D0:00:00:00:00:29', 'sig.heart-rate', $2)`,
      [GW, new Date(Date.now() - 120_000)],
    );
    await eventually('the stale entry dropped', async () => {
      const { rows } = await db.query('SELECT address FROM nearby_devices ORDER BY address');
      return rows.length === 1 ? rows : undefined;
    });
    expect((await db.query('SELECT address FROM nearby_devices')).rows).toEqual([
      { address: 'D0:00:00:00:00:21' },
    ]);
  });

  it('runs each of 8 queued commands exactly once across the two nodes', async () => {
    const now = Date.now();
    const ids = Array.from({ length: COMMANDS }, (_, i) => `cmd_cluster_${i}`);
    for (const id of ids) {
      await db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO gateway_commands (id, gateway_id, household_id, op, args, created_at, deadline)
           VALUES ($1, $2, 'hh_cluster', 'sync', '{}', $3, $4)`,
          [id, GW, new Date(now), new Date(now + 10_000)],
        );
        await tx.query(`SELECT pg_notify('linkwell_commands', $1)`, [id]);
      });
    }
    const rows = await eventually('every command ended', async () => {
      const { rows } = await db.query<{ id: string; state: string; result: unknown }>(
        `SELECT id, state, result FROM gateway_commands WHERE id LIKE 'cmd_cluster_%' ORDER BY id`,
      );
      return rows.every((r) => r.state === 'ok') ? rows : undefined;
    });
    expect(rows).toEqual(ids.sort().map((id) => ({ id, state: 'ok', result: { op: 'sync' } })));
    await new Promise((r) => setTimeout(r, 300));
    expect([...received].sort()).toEqual(ids.sort());
  });
});
