import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenIssuer, type Database, DEMO_HOME, generateSigningKeys } from '@linkwell/api';
import {
  type BloodPressureCuff,
  ManualClock,
  SimHome,
  SimNobleBindings,
  startSimulatedBluez,
  type WeightScale,
  type Wristband,
} from '@linkwell/device-sim';
import type { BleCentral, Reading } from '@linkwell/firmware-protocol';
import {
  connectMqttUplink,
  createGateway,
  createNobleCentral,
  createNodeBleCentral,
  type Gateway,
  loadNobleWithBindings,
  type MqttUplink,
} from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry, startTestIngest } from '../../src/demo-platform.js';
import { influxQuery, startDbusDaemon, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';

const silent = pino({ level: 'silent' });
const { wristband: BAND, bpCuff: CUFF, scale: SCALE } = DEMO_HOME.devices;
const PARTNER = 'acct_partner';
/** The scale's UDS user indices and consent codes (the simulated scale's demo users). */
const USERS = [
  { address: SCALE.address, index: 1, consent: 1234 },
  { address: SCALE.address, index: 2, consent: 5678 },
];

interface Stack {
  name: string;
  open(home: SimHome): Promise<{ central: BleCentral; close(): Promise<void> }>;
}

/** node-ble (unmodified) through the gateway's adapter, to the simulated BlueZ on a private dbus-daemon. */
const nodeBle: Stack = {
  name: 'node-ble over the simulated BlueZ',
  async open(home) {
    const daemon = await startDbusDaemon();
    const bluez = await startSimulatedBluez({ busAddress: daemon.address, peripherals: home.peripherals });
    const previous = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = daemon.address;
    const central = await createNodeBleCentral({
      timeouts: { discoverMs: 5000, connectMs: 10_000, servicesMs: 10_000 },
      // The scale pairs Just Works; a passkey device would get its code here.
      pairing: { passkeyFor: () => undefined },
    });
    return {
      central,
      async close() {
        await central.close();
        await bluez.stop();
        await daemon.stop();
        if (previous === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
        else process.env.DBUS_SYSTEM_BUS_ADDRESS = previous;
      },
    };
  },
};

/** noble's own state machine over the simulated HCI bindings, through the gateway's noble adapter. */
const noble: Stack = {
  name: 'noble',
  async open(home) {
    const bindings = new SimNobleBindings({ peripherals: home.peripherals });
    const n = loadNobleWithBindings(bindings);
    const central = createNobleCentral({ noble: n });
    return {
      central,
      async close() {
        await central.close();
        bindings.reset();
        n.removeAllListeners();
      },
    };
  },
};

type Row = [string, ...unknown[]];
async function rows(url: string, q: string): Promise<Row[]> {
  const body = (await influxQuery(url, q)) as { results: { series?: { values: Row[] }[] }[] };
  return body.results[0]?.series?.[0]?.values ?? [];
}

/**
 * The gateway issue's end-to-end acceptance, once per BLE stack: the simulated household (wristband,
 * BP cuff, two-user UDS scale) → the gateway on that stack → the project's broker and ingest → real
 * InfluxDB. Counts and values in InfluxDB must equal what the simulator produced, with each scale user's
 * weights under their own account.
 */
describe.each([nodeBle, noble])('gateway on $name → ingest → InfluxDB', (stack) => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let dir: string;
  const keys = generateSigningKeys();
  const token = createTokenIssuer(keys).gatewayToken(DEMO_HOME.gatewayId);

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-stacks-'));
    db = await openDemoRegistry();
    // A second member of the demo household shares the scale: the demo seed gives user 1 to the demo
    // person; user 2 is the partner.
    await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $2)', [PARTNER, 'Partner']);
    await db.query(
      `INSERT INTO household_members (household_id, account_id, role) VALUES ($1, $2, 'adult')`,
      [DEMO_HOME.householdId, PARTNER],
    );
    await db.query('INSERT INTO device_assignments (device_id, slot, account_id) VALUES ($1, 2, $2)', [
      SCALE.id,
      PARTNER,
    ]);
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

  it('stores every reading of the wristband, the cuff (stored records included) and both scale users under the right accounts', async () => {
    const START = Date.UTC(2026, 10, 23, 6, 0, 0);
    const clock = new ManualClock(START);
    const home = new SimHome({
      clock,
      seed: 505,
      devices: [
        { kind: 'wristband', address: BAND.address },
        { kind: 'bp-cuff', address: CUFF.address },
        { kind: 'scale', address: SCALE.address, options: { unsuccessfulRate: 0 } },
      ],
    });
    const band = home.find('wristband') as Wristband;
    const cuff = home.find('bp-cuff') as BloodPressureCuff;
    const scale = home.find('scale') as WeightScale;
    const outboxDir = join(dir, 'outbox');
    const received: Reading[] = [];

    // Both users weigh themselves before the gateway exists; the scale keeps the readings per user.
    scale.step({ user: 1 });
    clock.advance(5 * 60_000);
    scale.step({ user: 2 });
    clock.advance(5 * 60_000);

    const radio = await stack.open(home);
    const runGateway = async () => {
      const uplink: MqttUplink = await connectMqttUplink({
        url: ingest.mqttUrl,
        gatewayId: DEMO_HOME.gatewayId,
        token,
        version: 'e2e',
      });
      const gw: Gateway = createGateway({
        id: DEMO_HOME.gatewayId,
        central: radio.central,
        uplink,
        logger: silent,
        now: () => clock.now(),
        batch: { maxReadings: 50, lingerMs: 5 },
        outbox: { dir: outboxDir },
        users: USERS,
        uds: { quietMs: 500 },
        reconnect: { initialMs: 100, maxMs: 500 },
      });
      gw.bus.on('reading', (r) => received.push(r));
      await gw.start();
      return {
        gw,
        async stop() {
          await gw.stop();
          await uplink.close();
        },
      };
    };
    const heartRates = () => received.filter((r) => r.metric === 'heart_rate').length;
    /** Simulated seconds one at a time; the band's frame of each second must arrive before the next. */
    const advance = async (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1000);
        await until('the band’s notification', () => heartRates() >= band.sent.length);
      }
    };

    try {
      let g = await runGateway();
      // Both users' stored weights are replayed, one consented user per link.
      await until(
        'both scale users’ weights',
        () => received.filter((r) => r.metric === 'body_weight').length === 2,
        30_000,
      );
      await advance(5);
      cuff.measure({ user: 1 });
      await advance(45);
      await until('the live cuff result', () => received.some((r) => r.metric === 'blood_pressure'));
      await g.gw.flush();
      await g.stop();

      // The gateway is away; the cuff keeps what it measures and the band has no one to notify.
      cuff.measure({ user: 1 });
      clock.advance(60_000);
      cuff.measure({ user: 1 });
      clock.advance(60_000);
      expect(cuff.stored).toBe(2);

      g = await runGateway();
      await until(
        'the cuff’s stored records',
        () => received.filter((r) => r.metric === 'blood_pressure').length === 3,
        30_000,
      );
      await advance(10);
      await g.gw.flush();
      expect(g.gw.stats()).toMatchObject({ outboxItems: 0, readingsRefused: 0 });
      await g.stop();
      expect(cuff.stored).toBe(0);
    } finally {
      await radio.close();
      home.dispose();
    }

    const window = `time >= ${START - 86_400_000}ms AND time < ${clock.now() + 60_000}ms`;
    const from = (m: string, fields: string, account: string) =>
      rows(
        influx.url,
        `SELECT ${fields} FROM "linkwell"."autogen"."${m}" WHERE account = '${account}' AND ${window}`,
      );

    // Wristband: every notification once, at the instant it was sent, with its rate.
    const hr = await from('heart_rate', 'bpm', DEMO_HOME.accountId);
    expect(hr.map(([t, bpm]) => [Date.parse(t), bpm])).toEqual(band.sent.map((s) => [s.at, s.bpm]));

    // Cuff: the live result and the two kept while the gateway was away, stamped when they were taken.
    const bp = await from('blood_pressure', 'systolic, diastolic', DEMO_HOME.accountId);
    expect(cuff.readings).toHaveLength(3);
    expect(bp.map(([t, sys, dia]) => [Date.parse(t), sys, dia])).toEqual(
      cuff.readings.map((c) => [Math.floor(c.at / 1000) * 1000, c.systolic, c.diastolic]),
    );

    // Scale: each user's weight under their own account, nothing under the other's.
    for (const [user, account] of [
      [1, DEMO_HOME.accountId],
      [2, PARTNER],
    ] as const) {
      const w = await from('body_weight', 'weight, slot', account);
      const truth = scale.taken.filter((t) => t.userId === user);
      expect(truth).toHaveLength(1);
      expect(w.map(([, kg, slot]) => [kg, slot])).toEqual(truth.map((t) => [t.weightKg, user]));
    }
    expect(
      await rows(
        influx.url,
        `SELECT count(*) FROM "linkwell"."autogen"."heart_rate" WHERE account = '${PARTNER}'`,
      ),
    ).toEqual([]);
  }, 180_000);
});
