import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, generateSigningKeys } from '@linkwell/api';
import { gatewayTokenCredentials } from '@linkwell/device-sim';
import { type Reading, type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import { type IngestService, type IngestServiceDeps, readDeadLetters, startIngest } from '@linkwell/ingest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry } from '../../src/demo-platform.js';
import { influxQuery, type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';

const GW = 'gw_demo';
const T0 = Date.UTC(2026, 10, 2, 7, 0, 0);
const keys = generateSigningKeys();
const credentials = gatewayTokenCredentials(keys.privateKeyPem);

function heartRate(device: string, t: number, bpm: number): Reading {
  const raw = `06${bpm.toString(16).padStart(2, '0')}`;
  return {
    id: readingId({ gw: GW, device, slot: null, metric: 'heart_rate', at: t, raw }),
    device,
    slot: null,
    metric: 'heart_rate',
    char: '2a37',
    t,
    rt: t,
    time_source: 'gateway',
    values: { bpm },
    quality: [],
    raw,
    parser: 'fp/0.1.0',
  };
}

function weight(device: string, slot: number, t: number, kg: number): Reading {
  const raw = `02${Math.round(kg * 200).toString(16)}`;
  return {
    id: readingId({ gw: GW, device, slot, metric: 'body_weight', at: t, raw }),
    device,
    slot,
    metric: 'body_weight',
    char: '2a9d',
    t,
    rt: t,
    time_source: 'device',
    values: { weight: kg },
    quality: [],
    raw,
    parser: 'fp/0.1.0',
  };
}

/** A gateway as the broker sees it: a raw MQTT 3.1.1 client publishing envelopes and reading its events. */
class RawGateway {
  readonly events: Record<string, unknown>[] = [];
  private seq = 0;
  private constructor(readonly client: MqttClient) {
    client.on('message', (_t, payload) => this.events.push(JSON.parse(payload.toString())));
  }

  static async connect(url: string): Promise<RawGateway> {
    const client = await mqtt.connectAsync(url, {
      ...credentials(GW),
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync(`lw/v1/gw/${GW}/events`, { qos: 1 });
    return new RawGateway(client);
  }

  /** Resolves on the PUBACK. */
  async send(readings: Reading[]): Promise<void> {
    const env: ReadingsEnvelope = { v: 1, gw: GW, seq: ++this.seq, sent_at: Date.now(), readings };
    await this.client.publishAsync(`lw/v1/gw/${GW}/readings`, JSON.stringify(env), { qos: 1 });
  }

  eventsOf(type: string) {
    return this.events.filter((e) => e.type === type);
  }
}

type Rows = { results: { series?: { columns: string[]; values: unknown[][] }[] }[] };

/** Points of `measurement` for a device tag: [epoch ms, value, account]. */
async function points(influxUrl: string, db: string, measurement: string, field: string, device: string) {
  const body = (await influxQuery(
    influxUrl,
    `SELECT "${field}", "account" FROM "${db}"."autogen"."${measurement}" WHERE "device" = '${device}'`,
  )) as Rows;
  return (body.results[0]?.series?.[0]?.values ?? [])
    .map(([t, v, a]) => [Date.parse(t as string), v, a] as [number, unknown, string])
    .sort((x, y) => x[0] - y[0] || x[2].localeCompare(y[2]));
}

async function metric(registry: Registry, name: string): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  return (await m.get()).values.reduce((s, v) => s + v.value, 0);
}

async function claim(
  db: Database,
  id: string,
  address: string,
  kind: string,
  slot: number | null,
  account: string,
) {
  // As the API claims a device: the device row and who wears it, in one transaction.
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO devices (id, household_id, address, kind) VALUES ($1, 'hh_demo', $2, $3)`, [
      id,
      address,
      kind,
    ]);
    await tx.query(`INSERT INTO device_assignments (device_id, slot, account_id) VALUES ($1, $2, $3)`, [
      id,
      slot,
      account,
    ]);
  });
}

function ingestDeps(o: {
  influx: RunningInfluxd;
  db: Database;
  dataDir: string;
  database: string;
  metrics: Registry;
  held?: IngestServiceDeps['held'];
}): IngestServiceDeps {
  return {
    mqtt: { host: '127.0.0.1', port: 0 },
    influx: { url: o.influx.url, database: o.database },
    registry: o.db,
    gatewayPublicKeyPem: keys.publicKeyPem,
    dataDir: o.dataDir,
    logger: pino({ level: 'silent' }),
    metricsRegistry: o.metrics,
    batch: { lingerMs: 5 },
    // Hour-long safety nets: anything seen within this test came through the change feed.
    registrySync: { refreshIntervalMs: 3_600_000 },
    held: { replayIntervalMs: 3_600_000, ...o.held },
  };
}

describe('held readings: held, not dropped; replayed once claimed; live claims seen at once', () => {
  let influx: RunningInfluxd;
  let db: Database;
  let dir: string;
  let ingest: IngestService;
  let gw: RawGateway;
  let metrics: Registry;

  beforeAll(async () => {
    influx = await startInfluxd();
    db = await openDemoRegistry();
    dir = await mkdtemp(join(tmpdir(), 'lw-held-replay-'));
    metrics = new Registry();
    ingest = await startIngest(
      ingestDeps({ influx, db, dataDir: join(dir, 'ingest'), database: 'held', metrics }),
    );
    gw = await RawGateway.connect(ingest.mqttUrl);
  });

  afterAll(async () => {
    await gw?.client.endAsync();
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds an unclaimed wristband’s readings (PUBACK, a notice, nothing written), then writes them once under the claiming account', async () => {
    const band = 'E5:00:00:00:00:01';
    const sent = [heartRate(band, T0, 61), heartRate(band, T0 + 1000, 62), heartRate(band, T0 + 2000, 63)];
    await gw.send(sent);
    await until('the not-stored notice', () => gw.eventsOf('ingest.readings_not_stored').length === 1);
    expect(gw.eventsOf('ingest.readings_not_stored')[0]).toMatchObject({
      gw: GW,
      readings: sent.map((r) => ({ id: r.id, code: 'INGEST_ERR_UNKNOWN_DEVICE' })),
    });
    expect(await metric(metrics, 'linkwell_ingest_held_readings')).toBe(3);
    expect(await influxQuery(influx.url, 'SELECT count("bpm") FROM "held"."autogen"."heart_rate"')).toEqual({
      results: [{ statement_id: 0 }],
    });

    await claim(db, 'dev_held_band', band, 'wristband', null, 'acct_demo');
    await until('the held readings in InfluxDB', async () => {
      return (await points(influx.url, 'held', 'heart_rate', 'bpm', 'dev_held_band')).length === 3;
    });
    await until(
      'the held store to empty',
      async () => (await metric(metrics, 'linkwell_ingest_held_readings')) === 0,
    );
    // Exactly once: another replay pass (the periodic one, run now) finds nothing left to write.
    await new Promise((r) => setTimeout(r, 300));
    expect(await points(influx.url, 'held', 'heart_rate', 'bpm', 'dev_held_band')).toEqual([
      [T0, 61, 'acct_demo'],
      [T0 + 1000, 62, 'acct_demo'],
      [T0 + 2000, 63, 'acct_demo'],
    ]);
    expect(await metric(metrics, 'linkwell_ingest_held_replayed_total')).toBe(3);
    await until('the stored notice', () => gw.eventsOf('ingest.held_readings_stored').length === 1);
    expect(gw.eventsOf('ingest.held_readings_stored')[0]).toMatchObject({ readings: sent.map((r) => r.id) });
  });

  it('writes the first live reading of a device claimed a moment ago, without holding it (no TTL to wait for)', async () => {
    const band = 'E5:00:00:00:00:02';
    // gw_demo's entry is cached (it resolved readings above) and does not list this device yet.
    const notifications = await metric(metrics, 'linkwell_ingest_registry_notifications_total');
    await claim(db, 'dev_live_band', band, 'wristband', null, 'acct_demo');
    await until(
      'the claim’s change notifications',
      async () =>
        (await metric(metrics, 'linkwell_ingest_registry_notifications_total')) >= notifications + 2,
    );
    const heldBefore = await metric(metrics, 'linkwell_ingest_readings_held_total');
    await gw.send([heartRate(band, T0 + 10_000, 70)]);
    expect(await points(influx.url, 'held', 'heart_rate', 'bpm', 'dev_live_band')).toEqual([
      [T0 + 10_000, 70, 'acct_demo'],
    ]);
    expect(await metric(metrics, 'linkwell_ingest_readings_held_total')).toBe(heldBefore);
  });

  it('holds a second user’s scale reading (slot 2, unassigned) until slot 2 is assigned to that user', async () => {
    const scale = 'D0:00:00:00:00:03'; // the demo scale: slot 1 is acct_demo's
    const reading = weight(scale, 2, T0 + 20_000, 58.4);
    await gw.send([reading, weight(scale, 1, T0 + 20_000, 81.2)]);
    await until('the not-stored notice for slot 2', () =>
      gw
        .eventsOf('ingest.readings_not_stored')
        .some(
          (e) => (e.readings as { id: string; code: string }[])[0]?.code === 'INGEST_ERR_UNASSIGNED_SLOT',
        ),
    );
    expect(await points(influx.url, 'held', 'body_weight', 'weight', 'dev_demo_scale')).toEqual([
      [T0 + 20_000, 81.2, 'acct_demo'],
    ]);

    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_second', 'Second Person');
      INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_demo', 'acct_second', 'adult');
      INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_demo_scale', 2, 'acct_second');
    `);
    await until('the slot-2 reading in InfluxDB', async () => {
      return (await points(influx.url, 'held', 'body_weight', 'weight', 'dev_demo_scale')).length === 2;
    });
    expect(await points(influx.url, 'held', 'body_weight', 'weight', 'dev_demo_scale')).toEqual([
      [T0 + 20_000, 81.2, 'acct_demo'],
      [T0 + 20_000, 58.4, 'acct_second'],
    ]);
  });

  it('keeps held readings across a restart and replays them at start-up, for a claim made while ingest was down', async () => {
    const band = 'E5:00:00:00:00:03';
    const reading = heartRate(band, T0 + 30_000, 66);
    await gw.send([reading]);
    expect(await metric(metrics, 'linkwell_ingest_held_readings')).toBe(1);
    await gw.client.endAsync();
    await ingest.close();
    await claim(db, 'dev_restart_band', band, 'wristband', null, 'acct_demo');

    metrics = new Registry();
    ingest = await startIngest(
      ingestDeps({ influx, db, dataDir: join(dir, 'ingest'), database: 'held', metrics }),
    );
    gw = await RawGateway.connect(ingest.mqttUrl);
    await until('the start-up replay', async () => {
      return (await points(influx.url, 'held', 'heart_rate', 'bpm', 'dev_restart_band')).length === 1;
    });
    expect(await points(influx.url, 'held', 'heart_rate', 'bpm', 'dev_restart_band')).toEqual([
      [T0 + 30_000, 66, 'acct_demo'],
    ]);
    expect(await metric(metrics, 'linkwell_ingest_held_readings')).toBe(0);
  });
});

describe('held readings past the expiry', () => {
  let influx: RunningInfluxd;
  let db: Database;
  let dir: string;
  let ingest: IngestService;
  let gw: RawGateway;
  const metrics = new Registry();

  beforeAll(async () => {
    influx = await startInfluxd();
    db = await openDemoRegistry();
    dir = await mkdtemp(join(tmpdir(), 'lw-held-expiry-'));
    ingest = await startIngest(
      ingestDeps({
        influx,
        db,
        dataDir: join(dir, 'ingest'),
        database: 'expiry',
        metrics,
        // Days in production (LINKWELL_INGEST_HELD_EXPIRY_DAYS); here 1.5 s, checked every 200 ms.
        held: { expiryMs: 1500, replayIntervalMs: 200 },
      }),
    );
    gw = await RawGateway.connect(ingest.mqttUrl);
  });

  afterAll(async () => {
    await gw?.client.endAsync();
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('moves readings nobody claimed to the dead letters with INGEST_ERR_HELD_EXPIRED and tells the gateway', async () => {
    const stray = 'E6:00:00:00:00:01';
    const sent = [heartRate(stray, T0, 71), heartRate(stray, T0 + 1000, 72)];
    await gw.send(sent);
    expect(await metric(metrics, 'linkwell_ingest_held_readings')).toBe(2);
    await until(
      'the held readings to expire',
      async () => (await metric(metrics, 'linkwell_ingest_held_readings')) === 0,
    );

    const dead = await readDeadLetters(join(dir, 'ingest', 'quarantine'), {
      code: 'INGEST_ERR_HELD_EXPIRED',
    });
    expect(dead.map((e) => [e.gw, (e.reading as Reading).id])).toEqual(sent.map((r) => [GW, r.id]));
    expect(dead[0]!.message).toContain('INGEST_ERR_UNKNOWN_DEVICE');
    expect(await metric(metrics, 'linkwell_ingest_held_expired_total')).toBe(2);
    await until('the expiry notice', () => gw.eventsOf('ingest.held_readings_expired').length === 1);
    expect(gw.eventsOf('ingest.held_readings_expired')[0]).toMatchObject({
      code: 'INGEST_ERR_HELD_EXPIRED',
      readings: sent.map((r) => r.id),
    });
    expect(await influxQuery(influx.url, 'SELECT count("bpm") FROM "expiry"."autogen"."heart_rate"')).toEqual(
      {
        results: [{ statement_id: 0 }],
      },
    );
  });
});

describe('held store at its bound', () => {
  let influx: RunningInfluxd;
  let db: Database;
  let dir: string;
  let ingest: IngestService;
  const metrics = new Registry();
  const session = {
    ...credentials(GW),
    protocolVersion: 4 as const,
    reconnectPeriod: 0,
    clean: false,
    clientId: `lw-gw-${GW}`,
  };

  beforeAll(async () => {
    influx = await startInfluxd();
    db = await openDemoRegistry();
    dir = await mkdtemp(join(tmpdir(), 'lw-held-full-'));
    ingest = await startIngest(
      ingestDeps({
        influx,
        db,
        dataDir: join(dir, 'ingest'),
        database: 'full',
        metrics,
        held: { maxPerGateway: 2 },
      }),
    );
  });

  afterAll(async () => {
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('withholds the PUBACK of a third held reading with INGEST_ERR_HELD_FULL, tells the gateway, and takes it once there is room', async () => {
    const band = 'E8:00:00:00:00:01';
    const envelope = (r: Reading, seq: number) =>
      JSON.stringify({ v: 1, gw: GW, seq, sent_at: Date.now(), readings: [r] } satisfies ReadingsEnvelope);
    const first = await mqtt.connectAsync(ingest.mqttUrl, session);
    await first.subscribeAsync(`lw/v1/gw/${GW}/events`, { qos: 1 });
    await first.publishAsync(`lw/v1/gw/${GW}/readings`, envelope(heartRate(band, T0, 60), 1), { qos: 1 });
    await first.publishAsync(`lw/v1/gw/${GW}/readings`, envelope(heartRate(band, T0 + 1000, 61), 2), {
      qos: 1,
    });

    const third = heartRate(band, T0 + 2000, 62);
    let acked = false;
    const closed = new Promise<void>((r) => first.once('close', () => r()));
    first.publish(`lw/v1/gw/${GW}/readings`, envelope(third, 3), { qos: 1 }, (err) => {
      if (!err) acked = true;
    });
    await closed;
    first.end(true);
    expect(acked).toBe(false);
    expect(await metric(metrics, 'linkwell_ingest_held_refused_total')).toBe(1);
    expect(await metric(metrics, 'linkwell_ingest_held_readings')).toBe(2);

    // The notice waits in the gateway's persistent session until it is back.
    const events: Record<string, unknown>[] = [];
    const again = await mqtt.connectAsync(ingest.mqttUrl, session);
    again.on('message', (_t, p) => events.push(JSON.parse(p.toString())));
    await until('the refusal notice', () => events.some((e) => e.type === 'ingest.readings_refused'));
    expect(events.find((e) => e.type === 'ingest.readings_refused')).toMatchObject({
      code: 'INGEST_ERR_HELD_FULL',
      seq: 3,
      readings: [{ id: third.id }],
    });

    await claim(db, 'dev_full_band', band, 'wristband', null, 'acct_demo');
    await until(
      'the held readings to replay',
      async () => (await metric(metrics, 'linkwell_ingest_held_readings')) === 0,
    );
    // What the gateway kept in its outbox, sent again, is now stored.
    await again.publishAsync(`lw/v1/gw/${GW}/readings`, envelope(third, 3), { qos: 1 });
    expect((await points(influx.url, 'full', 'heart_rate', 'bpm', 'dev_full_band')).map((p) => p[1])).toEqual(
      [60, 61, 62],
    );
    await again.endAsync();
  });
});
