import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenIssuer, type Database, DEMO_HOME, generateSigningKeys } from '@linkwell/api';
import { ManualClock, MiScale, startSimulatedBluez } from '@linkwell/device-sim';
import { type Reading, type ScanResult, toHex } from '@linkwell/firmware-protocol';
import { connectMqttUplink, createGateway, createNodeBleCentral } from '@linkwell/gateway';
import { type IngestService, inboxId } from '@linkwell/ingest';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry, startTestIngest } from '../../src/demo-platform.js';
import { influxQuery, startDbusDaemon, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';

const MI = 'C4:00:00:00:90:01';
const DEVICE_ID = 'dev_e2e_mi';
const FRAME_MS = 500;
/** 5 settling frames, 3 stabilised ones and "load removed" (device-sim mi-scale-sequence.ts). */
const FRAMES = 9;

const distinct = (frames: string[]) => frames.filter((f, i) => i === 0 || f !== frames[i - 1]);

/**
 * An advertisement-only scale end to end over node-ble: a Mi scale on the simulated BlueZ (private
 * dbus-daemon) → the gateway's advertisement watch → durable outbox → MQTT → ingest → the household inbox
 * in the registry database. The scale is a claimed shared scale (attribution by weight) with no member rule
 * that could decide, so its reading waits in inbox_items and nothing is stored in InfluxDB.
 */
describe('advertisement-only scale over node-ble → ingest → household inbox', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let dir: string;
  const keys = generateSigningKeys();
  const token = createTokenIssuer(keys).gatewayToken(DEMO_HOME.gatewayId);

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-advert-'));
    db = await openDemoRegistry();
    await db.query(
      `INSERT INTO devices (id, household_id, address, kind, attribution) VALUES ($1, $2, $3, 'scale', 'weight')`,
      [DEVICE_ID, DEMO_HOME.householdId, MI],
    );
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
    });
  });

  afterAll(async () => {
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('one weighing becomes exactly one held inbox item with the exact weight, and no stored point', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 7, 0));
    const scale = new MiScale({ address: MI, seed: 21, clock, model: 'mi-scale', users: [{ weightKg: 31 }] });
    const sent: string[] = [];
    scale.onAdvertisement((a) => {
      const f = a.serviceData?.['181d'];
      if (f) sent.push(toHex(f));
    });
    const daemon = await startDbusDaemon();
    const bluez = await startSimulatedBluez({ busAddress: daemon.address, peripherals: [scale] });
    const previous = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = daemon.address;
    const central = await createNodeBleCentral({ timeouts: { discoverMs: 5000 } });
    const uplink = await connectMqttUplink({
      url: ingest.mqttUrl,
      gatewayId: DEMO_HOME.gatewayId,
      token,
      version: 'e2e',
    });
    const gw = createGateway({
      id: DEMO_HOME.gatewayId,
      central,
      uplink,
      logger: pino({ level: 'silent' }),
      now: () => clock.now(),
      batch: { maxReadings: 10, lingerMs: 5 },
      outbox: { dir: join(dir, 'outbox') },
    });
    const relayed: Reading[] = [];
    gw.bus.on('reading', (r) => relayed.push(r));
    try {
      await gw.start();
      // A second watch on the same central tells the test when each frame has reached the gateway.
      const heard: ScanResult[] = [];
      const stopTap = await central.watchAdvertisements({ services: ['181d'] }, (r) => heard.push(r));
      const heardFrames = () =>
        distinct(heard.flatMap((r) => (r.serviceData?.['181d'] ? [toHex(r.serviceData['181d'])] : [])));
      scale.step();
      for (let i = 0; i < FRAMES; i++) {
        await until(`frame ${i + 1}`, () => heardFrames().length >= distinct(sent).length);
        if (i < FRAMES - 1) clock.advance(FRAME_MS);
      }
      await stopTap();
      await until('the reading', () => relayed.length > 0);
      await until('the PUBACK', () => gw.stats().readingsAcked >= 1);

      const weightKg = scale.taken[0]!.weightKg;
      expect(relayed).toHaveLength(1);
      const [reading] = relayed;
      const rows = (
        await db.query<{
          id: string;
          state: string;
          reason: string;
          device_id: string | null;
          slot: number | null;
          metric: string;
          measured_at: string;
          reading: Reading;
        }>(
          'SELECT id, state, reason, device_id, slot, metric, measured_at, reading FROM inbox_items WHERE device_address = $1',
          [MI],
        )
      ).rows;
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        id: inboxId(DEMO_HOME.gatewayId, reading!.id),
        state: 'held',
        // A claimed shared scale whose weight no member rule or baseline decides.
        reason: 'ambiguous',
        device_id: DEVICE_ID,
        slot: null,
        metric: 'body_weight',
      });
      expect(Number(rows[0]!.measured_at)).toBe(reading!.t);
      expect(rows[0]!.reading).toMatchObject({
        id: reading!.id,
        values: { weight: weightKg },
        quality: ['attribution_by_weight'],
        time_source: 'device',
      });
      const stored = (await influxQuery(
        influx.url,
        `SELECT count(*) FROM "linkwell"."autogen"."body_weight" WHERE "device" = '${DEVICE_ID}'`,
      )) as { results: unknown[] };
      // An empty answer without an error: the database is there and holds no point of this device.
      expect(stored.results).toEqual([{ statement_id: 0 }]);
    } finally {
      await gw.stop();
      await uplink.close();
      await central.close();
      if (previous === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = previous;
      await bluez.stop();
      await daemon.stop();
    }
  });
});
