import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, migrate, openPglite } from '@linkwell/api';
import { type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import { startInfluxd } from '@linkwell/tests/harness';
import { createSigner } from 'fast-jwt';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxWriter, type IngestService, startIngest } from '../src/index.js';

const GW = 'gw_home';
const BAND = 'D0:00:00:00:00:01';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const token = (sub: string, typ = 'gateway') =>
  createSigner({
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm: 'ES256',
    iss: 'linkwell-api',
    aud: 'linkwell-mqtt',
    expiresIn: 600_000,
  })({ sub, typ });

/**
 * The API's registry on PGlite, migrated as the API migrates it, with one household whose gateway has one
 * claimed wristband worn by alice: the view `ingest_device_accounts` and the inbox are the real contract.
 */
async function openRegistry(): Promise<Database> {
  const db = await openPglite();
  await migrate(db);
  await db.exec(`
    INSERT INTO accounts (id, display_name) VALUES ('acct_alice', 'Alice');
    INSERT INTO households (id, name) VALUES ('hh_home', 'Home');
    INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_home', 'acct_alice', 'owner');
    INSERT INTO gateways (id, household_id, name) VALUES ('${GW}', 'hh_home', 'Hall');
    INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_band', 'hh_home', '${BAND}', 'wristband');
    INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_band', NULL, 'acct_alice');
  `);
  return db;
}

function reading(bpm: number, t: number, device = BAND) {
  const raw = `06${bpm.toString(16).padStart(2, '0')}`;
  return {
    id: readingId({ gw: GW, device, slot: null, metric: 'heart_rate', at: t, raw }),
    device,
    slot: null,
    metric: 'heart_rate',
    char: '2a37',
    t,
    rt: t,
    time_source: 'gateway' as const,
    values: { bpm },
    quality: [],
    raw,
    parser: 'fp/0.1.0',
  };
}

const envelope = (readings: ReturnType<typeof reading>[], seq = 0): string =>
  JSON.stringify({ v: 1, gw: GW, seq, sent_at: Date.now(), readings } satisfies ReadingsEnvelope);

async function influxQuery(url: string, q: string): Promise<unknown[][]> {
  const res = await fetch(`${url}/query?db=e2e&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { values: unknown[][] }[] }[] };
  return body.results[0]?.series?.[0]?.values ?? [];
}

describe('ingest against real influxd and real MQTT clients', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let svc: IngestService;
  let dataDir: string;
  let registry: Database;

  beforeAll(async () => {
    influx = await startInfluxd();
    dataDir = await mkdtemp(join(tmpdir(), 'lw-ingest-'));
    registry = await openRegistry();
    svc = await startIngest({
      mqtt: { host: '127.0.0.1', port: 0 },
      ops: { host: '127.0.0.1', port: 0 },
      influx: { url: influx.url, database: 'e2e' },
      writer: { retries: 1, minRetryDelayMs: 50 },
      registry,
      gatewayPublicKeyPem: pub,
      dataDir,
      logger: pino({ level: 'silent' }),
      metricsRegistry: new Registry(),
    });
  });

  afterAll(async () => {
    await svc?.close();
    await registry?.close();
    await influx?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const connect = (username: string, password: string, clientId = `t-${Math.random()}`) =>
    mqtt.connectAsync(svc.mqttUrl, { username, password, clientId, protocolVersion: 4, reconnectPeriod: 0 });

  it('acknowledges a QoS 1 publish only once its 3 readings are queryable in InfluxDB', async () => {
    const c = await connect(GW, token(GW));
    const t0 = Date.UTC(2026, 10, 1, 8);
    await c.publishAsync(
      `lw/v1/gw/${GW}/readings`,
      envelope([reading(60, t0), reading(70, t0 + 1000), reading(80, t0 + 2000)]),
      { qos: 1 },
    );
    // No polling: the PUBACK itself promises durability.
    expect(
      await influxQuery(
        influx.url,
        `SELECT count("bpm"), mean("bpm") FROM "heart_rate" WHERE "account" = 'acct_alice' AND time >= ${t0}ms AND time < ${t0 + 3000}ms`,
      ),
    ).toEqual([[t0, 3, 70]]);
    await c.endAsync();
  });

  it('refuses a connect with a token for another gateway (CONNACK 4, INGEST_ERR_BAD_CREDENTIALS)', async () => {
    await expect(connect(GW, token('gw_other'))).rejects.toMatchObject({ code: 4 });
    await expect(connect(GW, token(GW, 'user'))).rejects.toMatchObject({ code: 4 });
  });

  it("closes a gateway's connection when it publishes to another gateway's topic, and keeps serving others", async () => {
    const intruder = await connect(GW, token(GW));
    const closed = new Promise<void>((r) => intruder.once('close', () => r()));
    intruder.publish('lw/v1/gw/gw_other/readings', envelope([reading(60, 1)]), { qos: 1 });
    await closed;
    intruder.end(true);
    const ok = await connect(GW, token(GW));
    await ok.publishAsync(`lw/v1/gw/${GW}/status`, '{"state":"online"}', { qos: 1 });
    await ok.endAsync();
  });

  it('refuses a subscription outside the own prefix with SUBACK 128', async () => {
    const c = await connect(GW, token(GW));
    // MQTT.js 5 turns a SUBACK return code of 128 into a rejected subscribe.
    await expect(c.subscribeAsync('lw/v1/gw/+/readings', { qos: 1 })).rejects.toMatchObject({
      packet: { granted: [128] },
    });
    await c.endAsync();
  });

  it('acks an invalid payload, dead-letters it on disk and tells the gateway on its events topic', async () => {
    const c = await connect(GW, token(GW));
    await c.subscribeAsync(`lw/v1/gw/${GW}/events`, { qos: 1 });
    const event = new Promise<Record<string, unknown>>((r) =>
      c.once('message', (_t, p) => r(JSON.parse(p.toString()))),
    );
    await c.publishAsync(`lw/v1/gw/${GW}/readings`, '{"v":1,"gw":"gw_home","readings":"nope"}', { qos: 1 });
    expect(await event).toMatchObject({
      type: 'ingest.payload_rejected',
      code: 'INGEST_ERR_INVALID_PAYLOAD',
      cause: 'PROTO_ERR_INVALID_ENVELOPE',
    });
    const dead = (await readFile(join(dataDir, 'quarantine', 'dead-letter.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dead.at(-1)).toMatchObject({
      kind: 'dead',
      code: 'INGEST_ERR_INVALID_PAYLOAD',
      gw: GW,
      payload: '{"v":1,"gw":"gw_home","readings":"nope"}',
    });
    // Still serving: a valid publish right after is acknowledged.
    await c.publishAsync(`lw/v1/gw/${GW}/readings`, envelope([reading(65, Date.UTC(2026, 10, 2))]), {
      qos: 1,
    });
    await c.endAsync();
  });

  it('holds a reading from an unclaimed device in the household inbox instead of dropping it', async () => {
    const c = await connect(GW, token(GW));
    const stray = reading(66, Date.UTC(2026, 10, 3), 'AA:BB:CC:DD:EE:FF');
    await c.publishAsync(`lw/v1/gw/${GW}/readings`, envelope([stray]), { qos: 1 });
    // The PUBACK came after the inbox row was committed.
    const { rows } = await registry.query<Record<string, unknown>>(
      'SELECT gateway_id, household_id, device_address, metric, reason, state, reading FROM inbox_items',
    );
    expect(rows).toEqual([
      {
        gateway_id: GW,
        household_id: 'hh_home',
        device_address: 'AA:BB:CC:DD:EE:FF',
        metric: 'heart_rate',
        reason: 'unknown_device',
        state: 'held',
        reading: expect.objectContaining({ id: stray.id, values: { bpm: 66 } }),
      },
    ]);
    await c.endAsync();
  });

  it('refuses the v2 write path on InfluxDB 1.6 with INGEST_ERR_WRITE_REJECTED instead of dropping the lines', async () => {
    const w = await createInfluxWriter({ url: influx.url, database: 'e2e' }, { forceApi: 'v2', retries: 0 });
    await expect(w.write(['heart_rate,account=a,device=d bpm=1 1'])).rejects.toMatchObject({
      code: 'INGEST_ERR_WRITE_REJECTED',
    });
  });

  it('serves /healthz and /metrics with the written-readings counter', async () => {
    // The inbox figures are refreshed in the background; wait for the one held reading to show.
    let body: { details?: { held?: { readings?: number } } } = {};
    for (let i = 0; i < 100 && body.details?.held?.readings !== 1; i++) {
      const res = await fetch(`${svc.opsUrl}/healthz`);
      expect(res.status).toBe(200);
      body = (await res.json()) as typeof body;
      if (body.details?.held?.readings !== 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toEqual({
      status: 'ok',
      checks: { influx: 'ok', registry: 'ok' },
      details: {
        sink: { influx: 'up', replaying: false, spool: expect.objectContaining({ batches: 0 }) },
        held: { readings: 1, gateways: 1, oldestReceivedAt: expect.any(Number) },
        registry: { gateways: 1, assignments: 1, listening: true },
      },
    });
    const metrics = await (await fetch(`${svc.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/linkwell_ingest_readings_written_total 4/);
  });

  // Last: it stops influxd.
  it('acknowledges from the fsynced spool while InfluxDB is down and shows the depth in /healthz', async () => {
    await influx.stop();
    const c = await connect(GW, token(GW));
    // The PUBACK arrives although InfluxDB is gone: the batch is in <dataDir>/spool (tests/test/ingest covers replay).
    await c.publishAsync(`lw/v1/gw/${GW}/readings`, envelope([reading(61, Date.UTC(2026, 10, 4))]), {
      qos: 1,
    });
    await c.endAsync();
    const health = await fetch(`${svc.opsUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      checks: { influx: 'fail', registry: 'ok' },
      details: { sink: { influx: 'down', spool: { batches: 1, lines: 1 } } },
    });
  });
});
