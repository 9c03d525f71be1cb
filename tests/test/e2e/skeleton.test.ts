import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, createTokenIssuer, type Database, DEMO_HOME, generateSigningKeys } from '@linkwell/api';
import { createSimulatedHome, ManualClock } from '@linkwell/device-sim';
import { connectMqttUplink, createGateway, type Gateway, type Uplink } from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry, startTestIngest } from '../../src/demo-platform.js';
import { startInfluxd } from '../../src/harness/index.js';

const SEED = 20261123;
const START = Date.UTC(2026, 10, 23, 6, 0, 0);
const MINUTES = 10;
const silent = pino({ level: 'silent' });

interface Bucket {
  t: string;
  count: number;
  mean: number;
  min: number;
  max: number;
}

describe('walking skeleton: simulated wristband → gateway → MQTT → ingest → InfluxDB → API', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let api: Awaited<ReturnType<typeof buildApp>>;
  let apiUrl: string;
  let dataDir: string;
  let gateway: Gateway;
  let uplink: Uplink;
  const keys = generateSigningKeys();
  const issuer = createTokenIssuer(keys);
  const clock = new ManualClock(START);
  const home = createSimulatedHome({
    clock,
    seed: SEED,
    addresses: {
      wristband: DEMO_HOME.devices.wristband.address,
      bpCuff: DEMO_HOME.devices.bpCuff.address,
      scale: DEMO_HOME.devices.scale.address,
    },
  });

  beforeAll(async () => {
    influx = await startInfluxd();
    dataDir = await mkdtemp(join(tmpdir(), 'lw-e2e-'));
    db = await openDemoRegistry();
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir,
    });
    api = await buildApp({
      db,
      influx: { url: influx.url, database: 'linkwell' },
      keys,
      metrics: new Registry(),
      logger: false,
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    const addr = api.server.address() as { port: number };
    apiUrl = `http://127.0.0.1:${addr.port}`;
    uplink = await connectMqttUplink({
      url: ingest.mqttUrl,
      gatewayId: DEMO_HOME.gatewayId,
      token: issuer.gatewayToken(DEMO_HOME.gatewayId),
      version: 'e2e',
    });
    gateway = createGateway({
      id: DEMO_HOME.gatewayId,
      central: home.radio,
      uplink,
      logger: silent,
      now: () => clock.now(),
      batch: { maxReadings: 50, lingerMs: 5 },
    });
    await gateway.start();
  });

  afterAll(async () => {
    await gateway?.stop();
    await uplink?.close();
    await api?.close();
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const trend = (token: string, query: string) =>
    fetch(`${apiUrl}/v1/trends/heart_rate?${query}`, { headers: { authorization: `Bearer ${token}` } });

  it(`delivers ${MINUTES} simulated minutes and the API's per-minute aggregates equal what the wristband sent`, async () => {
    // One simulated minute at a time, flushing so envelopes leave while the clock is still.
    for (let m = 0; m < MINUTES; m++) {
      clock.advance(60_000);
      await gateway.flush(); // resolves when every envelope so far has its PUBACK, i.e. is in InfluxDB
    }
    const sent = home.wristband.sent;
    expect(sent).toHaveLength(MINUTES * 60);

    const expected = new Map<number, number[]>();
    for (const s of sent) {
      const bucket = Math.floor(s.at / 60_000) * 60_000;
      expected.set(bucket, [...(expected.get(bucket) ?? []), s.bpm]);
    }
    const from = new Date(START).toISOString();
    const to = new Date(START + (MINUTES + 1) * 60_000).toISOString();
    const res = await trend(issuer.userToken(DEMO_HOME.accountId), `from=${from}&to=${to}&window=1m`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { points: Bucket[] };
    const want = [...expected.entries()].map(([t, v]) => ({
      t: new Date(t).toISOString(),
      count: v.length,
      mean: v.reduce((a, b) => a + b, 0) / v.length,
      min: Math.min(...v),
      max: Math.max(...v),
    }));
    expect(body.points.map((p) => ({ ...p, mean: Number(p.mean.toFixed(9)) }))).toEqual(
      want.map((p) => ({ ...p, mean: Number(p.mean.toFixed(9)) })),
    );
    const total = body.points.reduce((a, p) => a + p.count, 0);
    expect(total).toBe(MINUTES * 60);
  });

  it("never shows the demo account's data to another account", async () => {
    const query = `from=${new Date(START).toISOString()}&to=${new Date(START + 86_400_000).toISOString()}&window=1h`;
    const total = async (account: string) => {
      const res = await trend(issuer.userToken(account), query);
      expect(res.status).toBe(200);
      return ((await res.json()) as { points: Bucket[] }).points.reduce((a, p) => a + p.count, 0);
    };
    expect(await total(DEMO_HOME.accountId)).toBe(MINUTES * 60);
    expect(await total('acct_stranger')).toBe(0);
  });

  it('answers a bad token with 401 API_ERR_UNAUTHORIZED and a bad range with 400 API_ERR_BAD_TIME_RANGE, and keeps serving', async () => {
    const bad = await trend('not.a.token', 'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&window=1h');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await bad.json()).toEqual({
      type: '/problems/API_ERR_UNAUTHORIZED',
      title: 'Unauthorized',
      status: 401,
      detail: 'The bearer token is not a well-formed JWT.',
      code: 'API_ERR_UNAUTHORIZED',
      instance: '/v1/trends/heart_rate',
      reason: 'malformed',
    });
    const gwToken = await trend(
      issuer.gatewayToken(DEMO_HOME.gatewayId),
      'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&window=1h',
    );
    expect(gwToken.status).toBe(401);
    const range = await trend(
      issuer.userToken(DEMO_HOME.accountId),
      'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z&window=1h',
    );
    expect(range.status).toBe(400);
    expect(range.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await range.json()).toEqual({
      type: '/problems/API_ERR_BAD_TIME_RANGE',
      title: 'Bad time range',
      status: 400,
      detail: 'from (2026-01-02T00:00:00Z) must be before to (2026-01-01T00:00:00Z).',
      code: 'API_ERR_BAD_TIME_RANGE',
      instance: '/v1/trends/heart_rate',
      from: '2026-01-02T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
    });
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
  });

  it('reports a corrupt wristband frame on the events topic with PROTO_ERR_TRUNCATED and keeps streaming', async () => {
    const watcher = await mqtt.connectAsync(ingest.mqttUrl, {
      username: DEMO_HOME.gatewayId,
      password: issuer.gatewayToken(DEMO_HOME.gatewayId),
      clientId: 'e2e-watcher',
      reconnectPeriod: 0,
    });
    await watcher.subscribeAsync(`lw/v1/gw/${DEMO_HOME.gatewayId}/events`, { qos: 1 });
    const event = new Promise<Record<string, unknown>>((r) =>
      watcher.on('message', (_t, p) => r(JSON.parse(p.toString()))),
    );
    const before = home.wristband.sent.length;
    home.wristband.emitRaw('180d', '2a37', Uint8Array.of(0x10, 72));
    expect(await event).toMatchObject({
      type: 'frame.rejected',
      code: 'PROTO_ERR_TRUNCATED',
      raw: '1048',
      characteristic: '2a37',
    });
    clock.advance(5_000);
    await gateway.flush();
    expect(home.wristband.sent.length).toBe(before + 5);
    await watcher.endAsync();
  });

  it('acknowledges a malformed envelope from the gateway, dead-letters it and keeps the broker up', async () => {
    const c = await mqtt.connectAsync(ingest.mqttUrl, {
      username: DEMO_HOME.gatewayId,
      password: issuer.gatewayToken(DEMO_HOME.gatewayId),
      clientId: 'e2e-bad-publisher',
      reconnectPeriod: 0,
    });
    await c.publishAsync(`lw/v1/gw/${DEMO_HOME.gatewayId}/readings`, 'not json', { qos: 1 });
    await c.publishAsync(`lw/v1/gw/${DEMO_HOME.gatewayId}/status`, '{"state":"online"}', { qos: 1 });
    await c.endAsync();
  });
});
