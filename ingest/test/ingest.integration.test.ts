import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import { startInfluxd } from '@linkwell/tests/harness';
import { createSigner } from 'fast-jwt';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxWriter, type IngestService, type SqlClient, startIngest } from '../src/index.js';

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
 * A one-device registry standing in for the API's view, answering the read model's per-gateway query
 * (`gateway_id = ANY($1)`); the SQL contract itself is tested against PGlite and PostgreSQL in api/.
 */
const registry: SqlClient = {
  async query<T>(_sql: string, params?: unknown[]) {
    const [gws] = (params ?? []) as [string[] | undefined];
    const rows = (gws ?? []).includes(GW)
      ? [
          {
            gateway_id: GW,
            device_address: BAND,
            slot: null,
            device_id: 'dev_band',
            account_id: 'acct_alice',
          },
        ]
      : [];
    return { rows: rows as T[] };
  },
};

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

  beforeAll(async () => {
    influx = await startInfluxd();
    dataDir = await mkdtemp(join(tmpdir(), 'lw-ingest-'));
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

  it('holds a reading from an unclaimed device on disk instead of dropping it', async () => {
    const c = await connect(GW, token(GW));
    const stray = reading(66, Date.UTC(2026, 10, 3), 'AA:BB:CC:DD:EE:FF');
    await c.publishAsync(`lw/v1/gw/${GW}/readings`, envelope([stray]), { qos: 1 });
    const held = (await readFile(join(dataDir, 'quarantine', 'held.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(held.at(-1)).toMatchObject({
      kind: 'held',
      code: 'INGEST_ERR_UNKNOWN_DEVICE',
      reading: { id: stray.id },
    });
    await c.endAsync();
  });

  it('refuses the v2 write path on InfluxDB 1.6 with INGEST_ERR_WRITE_REJECTED instead of dropping the lines', async () => {
    const w = await createInfluxWriter({ url: influx.url, database: 'e2e' }, { forceApi: 'v2', retries: 0 });
    await expect(w.write(['heart_rate,account=a,device=d bpm=1 1'])).rejects.toMatchObject({
      code: 'INGEST_ERR_WRITE_REJECTED',
    });
  });

  it('serves /healthz and /metrics with the written-readings counter', async () => {
    const health = await fetch(`${svc.opsUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      checks: { influx: 'ok', registry: 'ok' },
      details: {
        sink: { influx: 'up', replaying: false, spool: expect.objectContaining({ batches: 0 }) },
        held: { readings: 1, gateways: 1, oldestReceivedAt: expect.any(Number) },
        registry: { gateways: 1, assignments: 1, listening: false },
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
