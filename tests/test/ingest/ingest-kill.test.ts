import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTokenIssuer,
  type Database,
  DEMO_HOME,
  generateSigningKeys,
  migrate,
  openPostgres,
  pointEventId,
  relayOnce,
  seedDemoHome,
} from '@linkwell/api';
import { createSimulatedHome, ManualClock } from '@linkwell/device-sim';
import { connectMqttUplink, createGateway } from '@linkwell/gateway';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, influxQuery, startInfluxd, startPostgres } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const CLI = resolve(ROOT, 'cli/bin/linkwell.js');
const silent = pino({ level: 'silent' });
const ADDRESSES = {
  wristband: DEMO_HOME.devices.wristband.address,
  bpCuff: DEMO_HOME.devices.bpCuff.address,
  scale: DEMO_HOME.devices.scale.address,
};

const accepts = (port: number) =>
  new Promise<boolean>((r) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      r(true);
    });
    c.once('error', () => r(false));
  });

async function heartRates(url: string, from: number, to: number): Promise<[number, number][]> {
  const body = (await influxQuery(
    url,
    `SELECT bpm FROM "linkwell"."autogen"."heart_rate" WHERE time >= ${from}ms AND time < ${to}ms`,
  )) as { results: { series?: { values: [string, number][] }[] }[] };
  return (body.results[0]?.series?.[0]?.values ?? []).map(([t, bpm]) => [Date.parse(t), bpm]);
}

/**
 * Ingest as it runs in production (`linkwell ingest run`, PostgreSQL registry, real influxd), killed with
 * SIGKILL while gateways stream: every reading a gateway had a PUBACK for is in InfluxDB after the restart,
 * the gateways' outboxes resend the rest, and nothing is stored twice.
 */
describe('ingest kill -9 mid-stream', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  let db: Database;
  let dir: string;
  let port: number;
  let child: ChildProcess | undefined;
  const keys = generateSigningKeys();
  const token = createTokenIssuer(keys).gatewayToken(DEMO_HOME.gatewayId);

  const startIngest = async () => {
    const p = spawn(process.execPath, [CLI, 'ingest', 'run'], {
      env: {
        ...process.env,
        LINKWELL_INGEST_MQTT_PORT: String(port),
        LINKWELL_INGEST_OPS_PORT: String(await freePort()),
        LINKWELL_INGEST_INFLUX_URL: influx.url,
        LINKWELL_INGEST_REGISTRY_URL: pg.url,
        LINKWELL_INGEST_JWT_PUBLIC_KEY_FILE: join(dir, 'gateway-jwt.pub.pem'),
        LINKWELL_INGEST_DATA_DIR: join(dir, 'ingest'),
        LINKWELL_INGEST_LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child = p;
    await until('ingest to listen', async () => p.exitCode === null && (await accepts(port)));
    return p;
  };
  const kill = async (p: ChildProcess) => {
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  };

  beforeAll(async () => {
    [influx, pg] = await Promise.all([startInfluxd(), startPostgres()]);
    db = await openPostgres(pg.url);
    await migrate(db);
    await seedDemoHome(db);
    dir = await mkdtemp(join(tmpdir(), 'lw-ingest-kill-'));
    await writeFile(join(dir, 'gateway-jwt.pub.pem'), keys.publicKeyPem);
    port = await freePort();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) await kill(child);
    await db?.close();
    await Promise.all([influx?.stop(), pg?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores every acknowledged reading exactly once after a SIGKILL and a restart', async () => {
    const START = Date.UTC(2026, 10, 27, 6, 0, 0);
    const clock = new ManualClock(START);
    const home = createSimulatedHome({ clock, seed: 61, addresses: ADDRESSES });
    let ingest = await startIngest();
    const uplink = await connectMqttUplink({
      url: `mqtt://127.0.0.1:${port}`,
      gatewayId: DEMO_HOME.gatewayId,
      token,
      version: 'ingest-kill',
      reconnect: { initialMs: 100, maxMs: 400 },
    });
    const gateway = createGateway({
      id: DEMO_HOME.gatewayId,
      central: home.radio,
      uplink,
      logger: silent,
      now: () => clock.now(),
      batch: { maxReadings: 20, lingerMs: 5 },
      outbox: { dir: join(dir, 'outbox') },
      publishRetry: { initialMs: 100, maxMs: 400 },
      ackTimeoutMs: 2000,
    });
    await gateway.start();
    // 50 simulated seconds per real second: the band notifies every tick, so publishes are always in flight.
    const tick = setInterval(() => clock.advance(1000), 20);
    let ackedAtKill = 0;
    try {
      await until('readings acknowledged by the first ingest', () => gateway.stats().readingsAcked >= 100);
      await kill(ingest);
      ackedAtKill = gateway.stats().readingsAcked;
      await new Promise((r) => setTimeout(r, 1500));
      // Taken while ingest was dead: waiting in the outbox.
      expect(gateway.stats().outboxItems).toBeGreaterThan(0);
      ingest = await startIngest();
      await until(
        'more readings acknowledged by the restarted ingest',
        () => gateway.stats().readingsAcked >= ackedAtKill + 100,
      );
    } finally {
      clearInterval(tick);
    }
    await gateway.flush();
    await until('the outbox to drain', () => gateway.stats().outboxItems === 0);
    await gateway.stop();
    await uplink.close();
    home.home.dispose();

    const sent = home.wristband.sent;
    expect(gateway.stats()).toMatchObject({ readingsRefused: 0, readingsAcked: sent.length });
    const stored = await heartRates(influx.url, START, clock.now() + 1000);
    expect(stored).toHaveLength(sent.length);
    expect(stored).toEqual(sent.map((s) => [s.at, s.bpm]));
    // The event log (docs/events.md): every stored reading has its reading.created, once, with its values,
    // including the readings whose PUBACK the kill swallowed and the gateway sent again.
    const events = await createdEvents(START, clock.now() + 1000);
    expect(events.map((e) => [e.t, e.bpm])).toEqual(sent.map((s) => [s.at, s.bpm]));
    expect(new Set(events.map((e) => e.id)).size).toBe(sent.length);
  }, 120_000);

  it('overwrites instead of duplicating when the same readings arrive again, in another envelope or the same', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: 'lw-gw-idempotency',
      username: DEMO_HOME.gatewayId,
      password: token,
      protocolVersion: 4,
    });
    const T = Date.UTC(2026, 10, 28, 6, 0, 0);
    const readings = Array.from({ length: 5 }, (_, i) => ({
      id: `${(0xabc0 + i).toString(16)}000000000000`,
      device: DEMO_HOME.devices.wristband.address,
      slot: null,
      metric: 'heart_rate',
      char: '2a37',
      t: T + i * 1000,
      rt: T + i * 1000,
      time_source: 'gateway',
      values: { bpm: 70 + i },
      quality: [],
      raw: '0046',
      parser: 'fp/0.1.0',
    }));
    const envelope = (seq: number, rs: typeof readings) =>
      JSON.stringify({ v: 1, gw: DEMO_HOME.gatewayId, seq, sent_at: T + 10_000, readings: rs });
    const topic = `lw/v1/gw/${DEMO_HOME.gatewayId}/readings`;
    try {
      await client.publishAsync(topic, envelope(1, readings), { qos: 1 });
      // A redelivery of the same envelope (as after a lost PUBACK) and the same readings regrouped by a
      // gateway that restarted from its outbox.
      await client.publishAsync(topic, envelope(1, readings), { qos: 1 });
      await client.publishAsync(topic, envelope(7, readings.slice(2)), { qos: 1 });
      await client.publishAsync(topic, envelope(8, [readings[0]!, readings[4]!]), { qos: 1 });
    } finally {
      await client.endAsync();
    }
    const stored = await heartRates(influx.url, T, T + 60_000);
    expect(stored).toEqual(readings.map((r) => [r.t, r.values.bpm]));
    // One event per reading however often it came: a receiver sees one webhook-id per reading.
    const events = await createdEvents(T, T + 60_000);
    expect(events.map((e) => [e.t, e.bpm])).toEqual(readings.map((r) => [r.t, r.values.bpm]));
    expect(events.every((e) => /^evt_[0-9a-f]{32}$/.test(e.id))).toBe(true);
    expect(events.map((e) => e.id)).toEqual(
      readings.map((r) =>
        pointEventId(
          'reading.created',
          {
            account: DEMO_HOME.accountId,
            device: DEMO_HOME.devices.wristband.id,
            metric: 'heart_rate',
            t: r.t,
          },
          null,
        ),
      ),
    );
  });

  async function createdEvents(from: number, to: number) {
    // What the API's relay does in production: ingest's outbox rows become events.
    while ((await relayOnce(db, Date.now())).rows > 0) {}
    const { rows } = await db.query<{ id: string; t: string; bpm: number }>(
      `SELECT event_id AS id, (extract(epoch FROM occurred_at) * 1000)::bigint::text AS t,
              (data->'values'->>'bpm')::float8 AS bpm
       FROM events WHERE type = 'reading.created' AND metric = 'heart_rate'
         AND occurred_at >= to_timestamp($1 / 1000.0) AND occurred_at < to_timestamp($2 / 1000.0)
       ORDER BY occurred_at`,
      [from, to],
    );
    return rows.map((r) => ({ id: r.id, t: Number(r.t), bpm: r.bpm }));
  }
});
