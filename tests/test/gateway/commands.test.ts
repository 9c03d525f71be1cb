import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenIssuer, type Database, DEMO_HOME, generateSigningKeys } from '@linkwell/api';
import { createSimulatedHome, ManualClock } from '@linkwell/device-sim';
import { type CommandMessage, parseEvent } from '@linkwell/firmware-protocol';
import {
  connectMqttUplink,
  createGateway,
  type Gateway,
  type MqttUplink,
  UnpairedDevices,
} from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry, startTestIngest } from '../../src/demo-platform.js';
import { influxQuery, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';

const GW = DEMO_HOME.gatewayId;
const BAND = DEMO_HOME.devices.wristband.address;
const CUFF = DEMO_HOME.devices.bpCuff.address;
const SCALE = DEMO_HOME.devices.scale.address;
const NOWHERE = 'D0:00:00:00:09:99';
const START = Date.UTC(2026, 10, 27, 7, 0, 0);

/** Commands from the platform, through real Aedes, to a gateway on the in-memory radio, and back. */
describe('command channel: ingest sendCommand → Aedes → gateway → cmd/result', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let dir: string;
  const keys = generateSigningKeys();
  const issuer = createTokenIssuer(keys);
  const clock = new ManualClock(START);
  let home: ReturnType<typeof createSimulatedHome>;
  let uplink: MqttUplink;
  let gateway: Gateway;

  async function startGateway(): Promise<void> {
    uplink = await connectMqttUplink({
      url: ingest.mqttUrl,
      gatewayId: GW,
      token: issuer.gatewayToken(GW),
      version: 'commands-test',
    });
    gateway = createGateway({
      id: GW,
      central: home.radio,
      uplink,
      logger: pino({ level: 'silent' }),
      now: () => clock.now(),
      batch: { maxReadings: 50, lingerMs: 5 },
      commands: { pairScanMs: 200, captureScanMs: 0, syncQuietMs: 100, syncMaxMs: 3000 },
      unpaired: await UnpairedDevices.open(unpairedFile()),
    });
    await gateway.start();
  }
  async function stopGateway(): Promise<void> {
    await gateway.stop();
    await uplink.close();
  }
  const unpairedFile = () => join(dir, 'state', 'unpaired-devices.json');
  const send = (cmd: CommandMessage['cmd'], tid?: string) =>
    ingest.sendCommand!(GW, cmd, { timeoutMs: 10_000, ...(tid ? { tid } : {}) });

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-commands-'));
    db = await openDemoRegistry();
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
    });
    home = createSimulatedHome({
      clock,
      seed: 21,
      addresses: { wristband: BAND, bpCuff: CUFF, scale: SCALE },
    });
    await startGateway();
  });

  afterAll(async () => {
    await stopGateway().catch(() => {});
    home?.home.dispose();
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pair: bonds the connected wristband and answers with its profile', async () => {
    expect(await send({ op: 'pair', address: BAND }, 'pair-band')).toEqual({
      v: 1,
      gw: GW,
      tid: 'pair-band',
      status: 'ok',
      data: { address: BAND, profile: 'sig.heart-rate', bonded: true, connected: true, passkey_asked: null },
    });
    expect(home.wristband.hasBond(home.radio.centralId)).toBe(true);
  });

  it('pair: answers GATEWAY_ERR_BLE_NOT_FOUND for an address nobody advertises', async () => {
    expect(await send({ op: 'pair', address: NOWHERE }, 'pair-nowhere')).toEqual({
      v: 1,
      gw: GW,
      tid: 'pair-nowhere',
      status: 'error',
      error: {
        code: 'GATEWAY_ERR_BLE_NOT_FOUND',
        message: `${NOWHERE} was not heard advertising within 200 ms`,
      },
    });
  });

  it('sync: the cuff replays the measurement it kept while away, and it lands in InfluxDB', async () => {
    await gateway.devices.hold(CUFF);
    home.bpCuff.measure({ user: 1 });
    clock.advance(60_000);
    expect(home.bpCuff.stored).toBe(1);
    const r = await send({ op: 'sync', address: CUFF });
    expect(r).toMatchObject({ status: 'ok', data: { address: CUFF, ok: true, readings: 1, stored: 1 } });
    await gateway.flush();
    const taken = home.bpCuff.readings[0]!;
    const body = (await influxQuery(
      influx.url,
      'SELECT systolic, diastolic FROM "linkwell"."autogen"."blood_pressure"',
    )) as { results: { series?: { values: [string, number, number][] }[] }[] };
    expect(body.results[0]?.series?.[0]?.values.map(([, s, d]) => [s, d])).toEqual([
      [taken.measurement.systolic, taken.measurement.diastolic],
    ]);
  });

  it('set_time: sets the cuff clock; the wristband has none (GATEWAY_ERR_UNSUPPORTED)', async () => {
    home.bpCuff.deviceClock.set(clock.now() - 300_000);
    expect(await send({ op: 'set_time', address: CUFF }, 'time-cuff')).toEqual({
      v: 1,
      gw: GW,
      tid: 'time-cuff',
      status: 'ok',
      data: { address: CUFF, offset_ms: 300_000 },
    });
    expect(home.bpCuff.deviceClock.now()).toBe(clock.now());
    expect(await send({ op: 'set_time', address: BAND })).toMatchObject({
      status: 'error',
      error: { code: 'GATEWAY_ERR_UNSUPPORTED' },
    });
  });

  it('capture: publishes the wristband capture as a device.capture event and summarises it', async () => {
    const watcher = await mqtt.connectAsync(ingest.mqttUrl, {
      username: GW,
      password: issuer.gatewayToken(GW),
      clientId: 'commands-watcher',
      reconnectPeriod: 0,
    });
    try {
      await watcher.subscribeAsync(`lw/v1/gw/${GW}/events`, { qos: 1 });
      const captured = new Promise<Record<string, unknown>>((resolve) =>
        watcher.on('message', (_t, p) => {
          const e = parseEvent(p);
          if (e.type === 'device.capture') resolve(e);
        }),
      );
      const r = await send({ op: 'capture', address: BAND, seconds: 1 });
      expect(r).toMatchObject({ status: 'ok', data: { address: BAND, services: 3, published: true } });
      expect(await captured).toMatchObject({ v: 1, gw: GW, address: BAND, capture: { v: 1, address: BAND } });
      await until('the wristband to be connected again', () => gateway.devices.get(BAND)?.connected === true);
    } finally {
      await watcher.endAsync();
    }
  });

  it('unpair: forgets the scale; a later sync of it is GATEWAY_ERR_UNKNOWN_DEVICE', async () => {
    expect(await send({ op: 'unpair', address: SCALE })).toMatchObject({
      status: 'ok',
      data: { address: SCALE, profile: 'sig.weight-scale', was_connected: true, bond_removed: false },
    });
    expect(home.scale.connection).toBeUndefined();
    expect(await send({ op: 'sync', address: SCALE })).toMatchObject({
      status: 'error',
      error: { code: 'GATEWAY_ERR_UNKNOWN_DEVICE', message: `${SCALE} is not a device this gateway manages` },
    });
  });

  it('answers a repeated tid from its cache: the unpair does not run again', async () => {
    const first = await send({ op: 'unpair', address: BAND }, 'unpair-band');
    expect(first.status).toBe('ok');
    expect(await send({ op: 'unpair', address: BAND }, 'unpair-band')).toEqual(first);
  });

  it('answers a malformed command that still has a tid with GATEWAY_ERR_BAD_COMMAND', async () => {
    const watcher = await mqtt.connectAsync(ingest.mqttUrl, {
      username: GW,
      password: issuer.gatewayToken(GW),
      clientId: 'commands-result-watcher',
      reconnectPeriod: 0,
    });
    try {
      await watcher.subscribeAsync(`lw/v1/gw/${GW}/cmd/result`, { qos: 1 });
      const answer = new Promise<Record<string, unknown>>((resolve) =>
        watcher.on('message', (_t, p) => resolve(JSON.parse(p.toString()))),
      );
      await ingest.publish(
        `lw/v1/gw/${GW}/cmd`,
        JSON.stringify({ v: 1, tid: 'junk-1', sent_at: 0, cmd: { op: 'reboot' } }),
      );
      expect(await answer).toMatchObject({
        v: 1,
        gw: GW,
        tid: 'junk-1',
        status: 'error',
        error: { code: 'GATEWAY_ERR_BAD_COMMAND' },
      });
    } finally {
      await watcher.endAsync();
    }
  });

  it('delivers a command sent while the gateway was offline once it is back (persistent session)', async () => {
    await stopGateway();
    const pending = send({ op: 'set_time' }, 'while-offline');
    await new Promise((r) => setTimeout(r, 200));
    await startGateway();
    const r = await pending;
    expect(r).toMatchObject({ tid: 'while-offline', status: 'ok' });
    // The scale and the wristband were unpaired before the restart and stay so: only the cuff is managed.
    const data = (r.status === 'ok' && r.data) || {};
    expect((data.devices as { address: string }[]).map((d) => d.address)).toEqual([CUFF]);
    expect(data.skipped).toEqual([]);
    expect(home.scale.connection).toBeUndefined();
    expect(home.wristband.connection).toBeUndefined();
    expect(JSON.parse(await readFile(unpairedFile(), 'utf8'))).toEqual({
      v: 1,
      addresses: [BAND, SCALE].sort(),
    });
  });

  it('pair brings an unpaired device back, and it stays managed after the next restart', async () => {
    expect(await send({ op: 'pair', address: SCALE })).toMatchObject({
      status: 'ok',
      data: { address: SCALE },
    });
    expect(JSON.parse(await readFile(unpairedFile(), 'utf8'))).toEqual({ v: 1, addresses: [BAND] });
    await stopGateway();
    await startGateway();
    const r = await send({ op: 'set_time' });
    const data = (r.status === 'ok' && r.data) || {};
    expect((data.devices as { address: string }[]).map((d) => d.address).sort()).toEqual([CUFF, SCALE]);
    expect(home.wristband.connection).toBeUndefined();
  });

  it('rejects with INGEST_ERR_COMMAND_TIMEOUT when no gateway answers', async () => {
    await expect(ingest.sendCommand!('gw_nobody', { op: 'sync' }, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'INGEST_ERR_COMMAND_TIMEOUT',
    });
  });

  it("refuses a gateway's subscription to another gateway's cmd topic, also through a wildcard", async () => {
    const other = await mqtt.connectAsync(ingest.mqttUrl, {
      username: 'gw_other',
      password: issuer.gatewayToken('gw_other'),
      clientId: 'commands-other',
      reconnectPeriod: 0,
    });
    try {
      const granted = async (topic: string) => (await other.subscribeAsync(topic, { qos: 1 }))[0]?.qos;
      expect(await granted('lw/v1/gw/gw_other/cmd')).toBe(1);
      await expect(granted(`lw/v1/gw/${GW}/cmd`)).rejects.toMatchObject({ packet: { granted: [128] } });
      await expect(granted('lw/v1/gw/+/cmd')).rejects.toMatchObject({ packet: { granted: [128] } });
      await expect(granted('lw/v1/#')).rejects.toMatchObject({ packet: { granted: [128] } });
    } finally {
      await other.endAsync();
    }
  });
});
