import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
} from '@linkwell/api';
import { createSimulatedHome, ManualClock } from '@linkwell/device-sim';
import { connectMqttUplink, createGateway, type Gateway, type MqttUplink } from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIngest } from '../../src/demo-platform.js';
import { startInfluxd } from '../../src/harness/index.js';
import { eventually, until } from '../../src/wait.js';

const GW = 'gw_ops';
const BAND = 'D0:00:00:00:00:11';
const CUFF = 'D0:00:00:00:00:12';
const SCALE = 'D0:00:00:00:00:13';
const ME = 'acct_ops';
const START = Date.UTC(2026, 11, 7, 7, 0, 0);

interface Command {
  id: string;
  state: string;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

/**
 * Gateways and devices through the API against the real stack: real ingest (Aedes) writing presence and
 * nearby devices into the API's PGlite registry and running queued commands, and a real gateway on the
 * simulated radio behind a real MQTT uplink.
 */
describe('gateway operations: API → registry → ingest → Aedes → gateway, and back', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let app: ApiApp;
  let dir: string;
  let householdId: string;
  const keys = generateSigningKeys();
  const issuer = createTokenIssuer(keys);
  const clock = new ManualClock(START);
  let home: ReturnType<typeof createSimulatedHome>;
  let uplink: MqttUplink;
  let gateway: Gateway;
  const completed: { tid: string; op: string; status: string; code?: string }[] = [];

  const auth = { authorization: `Bearer ${issuer.userToken(ME, { scopes: ['account'] })}` };
  const api = async <T>(method: 'GET' | 'POST', url: string, payload?: object, headers = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { ...auth, ...headers },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json<T>() };
  };

  async function startGateway(): Promise<void> {
    uplink = await connectMqttUplink({
      url: ingest.mqttUrl,
      gatewayId: GW,
      token: issuer.gatewayToken(GW),
      version: 'ops-test',
      reconnect: { initialMs: 100, maxMs: 200 },
    });
    gateway = createGateway({
      id: GW,
      central: home.radio,
      uplink,
      logger: pino({ level: 'silent' }),
      // The gateway's wall clock decides whether a command expired, as on a real device.
      now: Date.now,
      batch: { maxReadings: 50, lingerMs: 5 },
      commands: { pairScanMs: 200, captureScanMs: 0, syncQuietMs: 100, syncMaxMs: 2000 },
    });
    gateway.bus.on('command.completed', (e) => completed.push(e));
    await gateway.start();
  }

  async function stopGateway(): Promise<void> {
    await gateway.stop();
    await uplink.close();
  }

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-gw-ops-'));
    db = await openPglite();
    await migrate(db);
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ($1, 'Ops')`, [ME]);
    app = buildApp({
      db,
      keys,
      influx: { url: influx.url, database: 'linkwell' },
      metrics: new Registry(),
      logger: false,
      gatewayCommands: { deadlineMs: 1500, answerGraceMs: 3000, resetDeadlineMs: 1500 },
    });
    await app.ready();
    householdId = (await api<{ id: string }>('POST', '/v1/households', { name: 'Ops home' })).body.id;
    await db.query(`INSERT INTO gateways (id, household_id, name) VALUES ($1, $2, 'Hall')`, [
      GW,
      householdId,
    ]);
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      platform: { commands: { pollMs: 200, answerGraceMs: 3000 } },
    });
    home = createSimulatedHome({
      clock,
      seed: 7,
      addresses: { wristband: BAND, bpCuff: CUFF, scale: SCALE },
    });
    await startGateway();
  });

  afterAll(async () => {
    await stopGateway().catch(() => {});
    home?.home.dispose();
    await ingest?.close();
    await app?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the gateway online from its retained status, and the devices it discovered as nearby with DIS facts', async () => {
    const gw = await eventually('the gateway online', async () => {
      const { body } = await api<{ gateways: { online: boolean; version: string | null }[] }>(
        'GET',
        `/v1/households/${householdId}/gateways`,
      );
      return body.gateways[0]?.online ? body.gateways[0] : undefined;
    });
    expect(gw).toMatchObject({ id: GW, name: 'Hall', online: true, version: 'ops-test' });
    const nearby = await eventually('three nearby devices with their DIS maker', async () => {
      const { body } = await api<{ nearby: { address: string; maker: string | null }[] }>(
        'GET',
        `/v1/households/${householdId}/nearby`,
      );
      return body.nearby.length === 3 && body.nearby.every((n) => n.maker !== null) ? body.nearby : undefined;
    });
    expect(nearby.map((n) => n.address)).toEqual([BAND, CUFF, SCALE]);
    expect(nearby[1]).toEqual({
      address: CUFF,
      name: 'Linkwell Cuff',
      profile_id: 'sig.blood-pressure',
      model: expect.any(String),
      maker: 'Linkwell Sim',
      battery_percent: expect.any(Number),
      rssi: -60,
      gateway_id: GW,
      seen_at: expect.any(String),
    });
  });

  it('claims the cuff and round-trips a sync command through ingest and the gateway', async () => {
    const claim = await api<{ id: string; attribution: string; maker: string }>(
      'POST',
      `/v1/households/${householdId}/devices`,
      { address: CUFF },
    );
    expect(claim.status).toBe(201);
    expect(claim.body).toMatchObject({ attribution: 'slots', slot_count: 4, maker: 'Linkwell Sim' });
    const queued = await api<Command>('POST', `/v1/devices/${claim.body.id}/commands`, { op: 'set_time' });
    expect(queued.status).toBe(202);
    expect(queued.body.state).toBe('queued');
    const done = await api<Command>('GET', `/v1/commands/${queued.body.id}`, undefined, {
      prefer: 'wait=10',
    });
    expect(done.body).toMatchObject({ id: queued.body.id, state: 'ok', error: null });
    expect(done.body.result).toMatchObject({ address: CUFF });
    expect(completed).toContainEqual({ tid: queued.body.id, op: 'set_time', status: 'ok', cached: false });

    const sync = await api<Command>('POST', `/v1/devices/${claim.body.id}/commands`, { op: 'sync' });
    const synced = await api<Command>('GET', `/v1/commands/${sync.body.id}`, undefined, {
      prefer: 'wait=15',
    });
    expect(synced.body).toMatchObject({ state: 'ok', error: null });
    expect(synced.body.result).toMatchObject({ address: CUFF, ok: true });
  });

  it('shows the gateway offline once it stopped', async () => {
    await stopGateway();
    const gw = await eventually('the gateway offline', async () => {
      const { body } = await api<{ gateways: { online: boolean; since: string }[] }>(
        'GET',
        `/v1/households/${householdId}/gateways`,
      );
      return body.gateways[0]?.online === false ? body.gateways[0] : undefined;
    });
    expect(gw.since).toEqual(expect.any(String));
  });

  it('times out a command to the offline gateway with API_ERR_GATEWAY_OFFLINE, and the gateway back after the deadline refuses it', async () => {
    const device = (await api<{ devices: { id: string }[] }>('GET', `/v1/households/${householdId}/devices`))
      .body.devices[0]!;
    const queued = await api<Command>('POST', `/v1/devices/${device.id}/commands`, { op: 'sync' });
    const done = await api<Command>('GET', `/v1/commands/${queued.body.id}`, undefined, {
      prefer: 'wait=10',
    });
    expect(done.body).toMatchObject({
      state: 'timed_out',
      result: null,
      error: { code: 'API_ERR_GATEWAY_OFFLINE' },
    });
    // Back after the deadline: the broker's persistent session delivers the queued command; the gateway refuses it.
    await startGateway();
    await until('the gateway to answer the stale command', () =>
      completed.some((c) => c.tid === queued.body.id),
    );
    expect(completed.find((c) => c.tid === queued.body.id)).toEqual({
      tid: queued.body.id,
      op: 'sync',
      status: 'error',
      code: 'GATEWAY_ERR_COMMAND_EXPIRED',
      cached: false,
    });
    // The late refusal does not overwrite what the person was told.
    await new Promise((r) => setTimeout(r, 300));
    expect((await api<Command>('GET', `/v1/commands/${queued.body.id}`)).body).toMatchObject({
      state: 'timed_out',
      error: { code: 'API_ERR_GATEWAY_OFFLINE' },
    });
  });

  it('revokes the gateway and ingest closes its MQTT connection within two seconds', async () => {
    await until('the gateway connected', () => uplink.connected);
    const disconnected = new Promise<number>((resolve) =>
      uplink.onConnectionChange((up) => {
        if (!up) resolve(Date.now());
      }),
    );
    const t0 = Date.now();
    const res = await app.inject({ method: 'POST', url: `/v1/gateways/${GW}/revoke`, headers: auth });
    expect(res.statusCode).toBe(204);
    const at = await Promise.race([disconnected, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
    expect(at).not.toBe(-1);
    expect(at - t0).toBeLessThan(2000);
    // It cannot come back: its token is refused while revoked.
    await new Promise((r) => setTimeout(r, 1000));
    expect(uplink.connected).toBe(false);
    expect(
      (await api<{ gateways: unknown[] }>('GET', `/v1/households/${householdId}/gateways`)).body,
    ).toEqual({
      gateways: [],
    });
  });

  it('factory-resets an online gateway: it lets its devices go, wipes, answers, stops, and is revoked', async () => {
    await stopGateway();
    const GW2 = 'gw_ops_2';
    await db.query(`INSERT INTO gateways (id, household_id, name) VALUES ($1, $2, 'Spare')`, [
      GW2,
      householdId,
    ]);
    let wiped = 0;
    const up = await connectMqttUplink({
      url: ingest.mqttUrl,
      gatewayId: GW2,
      token: issuer.gatewayToken(GW2),
      version: 'ops-test',
      reconnect: { initialMs: 100, maxMs: 200 },
    });
    const gw2 = createGateway({
      id: GW2,
      central: home.radio,
      uplink: up,
      logger: pino({ level: 'silent' }),
      now: Date.now,
      commands: {
        wipe: async () => {
          wiped += 1;
        },
      },
    });
    const resets: unknown[] = [];
    gw2.bus.on('gateway.reset', (e) => resets.push(e));
    await gw2.start();
    try {
      await eventually('the spare gateway online', async () => {
        const { body } = await api<{ gateways: { id: string; online: boolean }[] }>(
          'GET',
          `/v1/households/${householdId}/gateways`,
        );
        return body.gateways.find((g) => g.id === GW2 && g.online);
      });
      const managed = gw2.devices.list().length;
      expect(managed).toBeGreaterThan(0);
      const res = await api<{ device_reset: string; command: Command }>(
        'POST',
        `/v1/gateways/${GW2}/factory-reset`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        gateway_id: GW2,
        revoked: true,
        device_reset: 'done',
        command: { op: 'reset', state: 'ok', result: { devices_forgotten: managed, state_wiped: true } },
      });
      expect(wiped).toBe(1);
      expect(resets).toEqual([{}]);
      expect(gw2.devices.list()).toEqual([]);
      await until('the reset gateway disconnected', () => !up.connected, 5000);
    } finally {
      await gw2.stop().catch(() => {});
      await up.close();
    }
  });
});
