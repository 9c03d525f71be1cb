import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import {
  type BloodPressureCuff,
  ManualClock,
  type MiScale,
  SimHome,
  startSimulatedBluez,
  type WeightScale,
} from '@linkwell/device-sim';
import { connectMqttUplink, createGateway, createNodeBleCentral, type Gateway } from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import { linkGateway } from 'linkwell';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIngest } from '../../src/demo-platform.js';
import { influxQuery, startDbusDaemon, startInfluxd } from '../../src/harness/index.js';
import {
  call,
  type IdentityStack,
  personId,
  signIn,
  startIdentityStack,
  TestBrowser,
} from '../../src/identity/index.js';
import { eventually } from '../../src/wait.js';

const silent = pino({ level: 'silent' });
const CUFF = 'C1:00:00:00:00:02';
const SCALE = 'C1:00:00:00:00:03';
const MI_SCALE = 'C1:00:00:00:00:06';
/** The simulated UDS scale's users 1 and 2 with their consent codes (device-sim DEMO_SCALE_USERS). */
const UDS_USERS = [
  { address: SCALE, index: 1, consent: 1234 },
  { address: SCALE, index: 2, consent: 5678 },
];
const START = Date.UTC(2026, 10, 23, 6, 0, 0);

type Row = [string, ...unknown[]];
async function rows(url: string, q: string): Promise<Row[]> {
  const body = (await influxQuery(url, q)) as { results: { series?: { values: Row[] }[] }[] };
  return body.results[0]?.series?.[0]?.values ?? [];
}

async function json<T>(res: Response | Promise<Response>, status: number): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface InboxItem {
  id: string;
  metric: string;
  measured_at: string | number;
  values: Record<string, number>;
  reason: string;
  state: string;
}

/**
 * Issue 12's end-to-end acceptance over node-ble (unmodified, against the simulated BlueZ on a private
 * dbus-daemon), with the real API, the simulated identity providers, real ingest and real InfluxDB:
 * a household created through the API, a gateway onboarded by RFC 8628, three devices claimed and
 * assigned, both users of the cuff and of the scale mapped, readings under the right accounts, the
 * advertisement-only scale's readings in the inbox, one filed to the dependent and reassigned back and
 * forth. Counts and values are compared exactly.
 */
describe('a household pairs, claims and attributes over node-ble', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let stack: IdentityStack;
  let dir: string;
  const keys = generateSigningKeys();

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-attribution-'));
    db = await openPglite();
    await migrate(db);
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
    });
    stack = await startIdentityStack({
      db,
      keys,
      influx: { url: influx.url, database: 'linkwell' },
      deviceFlow: { intervalSeconds: 1, mqttUrl: ingest.mqttUrl },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('attributes every reading to the right member, and the inbox files and reassignment move them exactly', async () => {
    const api = stack.apiUrl;
    // 1. Two adults sign in with identities they already have; the first creates the household.
    const li = new TestBrowser();
    await signIn(li, api, 'wechat', personId('wechat', '李伟'));
    const liId = (await json<{ id: string }>(call(li, api, 'GET', '/v1/me'), 200)).id;
    const household = await json<{ id: string }>(
      call(li, api, 'POST', '/v1/households', { name: 'Home' }),
      201,
    );
    const hid = household.id;
    const invite = await json<{ code: string }>(
      call(li, api, 'POST', `/v1/households/${hid}/invites`, {}),
      201,
    );
    const alex = new TestBrowser();
    await signIn(alex, api, 'google', personId('google', 'Alex Morgan'));
    const alexId = (await json<{ id: string }>(call(alex, api, 'GET', '/v1/me'), 200)).id;
    await json(call(alex, api, 'POST', '/v1/household-invites/accept', { code: invite.code }), 200);
    const mia = await json<{ account_id: string }>(
      call(li, api, 'POST', `/v1/households/${hid}/dependents`, { display_name: 'Mia' }),
      201,
    );
    const miaId = mia.account_id;

    // 2. The gateway is onboarded with the device flow; 李伟 approves its code into the household.
    let approval: Promise<Response> | undefined;
    const linked = await linkGateway(
      { api, credentials: join(dir, 'gateway.json'), name: 'Hall gateway' },
      {
        out: { write: () => true },
        onAuthorization: (a) => {
          approval = call(li, api, 'POST', '/v1/device-authorizations/verify', {
            user_code: a.userCode,
            household_id: hid,
          });
        },
      },
    );
    await json(approval!, 200);

    const clock = new ManualClock(START);
    const home = new SimHome({
      clock,
      seed: 1212,
      devices: [
        { kind: 'bp-cuff', address: CUFF },
        { kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0 } },
        { kind: 'mi-scale', address: MI_SCALE, options: { users: [{ weightKg: 27 }], unsetClock: false } },
      ],
    });
    const cuff = home.find('bp-cuff') as BloodPressureCuff;
    const scale = home.find('scale') as WeightScale;
    const miScale = home.find('mi-scale') as MiScale;
    const daemon = await startDbusDaemon();
    const bluez = await startSimulatedBluez({ busAddress: daemon.address, peripherals: home.peripherals });
    const previousBus = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = daemon.address;
    const central = await createNodeBleCentral({
      timeouts: { discoverMs: 5000, connectMs: 10_000, servicesMs: 10_000 },
      pairing: { passkeyFor: () => undefined },
    });
    const uplink = await connectMqttUplink({
      url: ingest.mqttUrl,
      gatewayId: linked.gatewayId,
      token: linked.tokens.accessToken,
      version: 'e2e',
    });
    let gateway: Gateway | undefined;
    try {
      // Both adults weigh themselves and measure their blood pressure before anything is claimed: the
      // devices keep these records (the first-sync guard holds them until the slots are mapped).
      scale.step({ user: 1 });
      clock.advance(5 * 60_000);
      scale.step({ user: 2 });
      clock.advance(5 * 60_000);
      cuff.measure({ user: 1 });
      clock.advance(60_000);
      cuff.measure({ user: 2 });
      clock.advance(60_000);

      gateway = createGateway({
        id: linked.gatewayId,
        central,
        uplink,
        logger: silent,
        now: () => clock.now(),
        batch: { maxReadings: 50, lingerMs: 5 },
        outbox: { dir: join(dir, 'outbox') },
        users: UDS_USERS,
        uds: { quietMs: 500 },
        reconnect: { initialMs: 100, maxMs: 500 },
      });
      const received: { metric: string; device: string; slot: number | null }[] = [];
      gateway.bus.on('reading', (r) => received.push(r));
      await gateway.start();

      // 3. The household sees the three devices nearby and claims them.
      const nearby = await eventually(
        'three devices nearby',
        async () => {
          const body = await json<{ nearby: { address: string }[] }>(
            call(li, api, 'GET', `/v1/households/${hid}/nearby`),
            200,
          );
          const seen = body.nearby.map((d) => d.address).sort();
          return [CUFF, MI_SCALE, SCALE].every((a) => seen.includes(a)) ? body.nearby : undefined;
        },
        30_000,
      );
      expect(nearby.length).toBeGreaterThanOrEqual(3);
      const claim = (address: string) =>
        json<{ id: string; attribution: string }>(
          call(li, api, 'POST', `/v1/households/${hid}/devices`, { address }),
          201,
        );
      const cuffDev = await claim(CUFF);
      const scaleDev = await claim(SCALE);
      const miDev = await claim(MI_SCALE);
      expect([cuffDev.attribution, scaleDev.attribution, miDev.attribution]).toEqual([
        'slots',
        'slots',
        'weight',
      ]);

      // 4. Both cuff users and both scale users are mapped to the two adults.
      for (const device of [cuffDev, scaleDev])
        for (const [slot, account] of [
          [1, liId],
          [2, alexId],
        ] as const)
          await json(
            call(li, api, 'PUT', `/v1/devices/${device.id}/slots/${slot}`, { account_id: account }),
            200,
          );

      // Live readings after the mapping, and the dependent steps on the advertisement-only scale twice.
      cuff.measure({ user: 1 });
      for (let i = 0; i < 45; i++) {
        clock.advance(1000);
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const _ of [1, 2]) {
        miScale.step();
        for (let i = 0; i < 60; i++) {
          clock.advance(250);
          await new Promise((r) => setTimeout(r, 20));
        }
        clock.advance(10 * 60_000);
      }
      expect(miScale.taken).toHaveLength(2);
      // The Mi Body Composition Scale 2 (device-sim's default Mi model) sends weight with impedance.
      expect(received.filter((r) => r.device === MI_SCALE).map((r) => [r.metric, r.slot])).toEqual([
        ['body_composition', null],
        ['body_composition', null],
      ]);

      // 5. Every cuff and scale reading is under the right adult in InfluxDB, values exact.
      const window = `time >= ${START - 86_400_000}ms AND time < ${clock.now() + 60_000}ms`;
      const from = (m: string, fields: string, account: string) =>
        rows(
          influx.url,
          `SELECT ${fields} FROM "linkwell"."autogen"."${m}" WHERE account = '${account}' AND ${window}`,
        );
      for (const [user, account] of [
        [1, liId],
        [2, alexId],
      ] as const) {
        const bpTruth = cuff.readings.filter((c) => c.user === user);
        const bp = await eventually(
          `user ${user}'s blood pressure`,
          async () => {
            const r = await from('blood_pressure', 'systolic, diastolic, attr_method', account);
            return r.length === bpTruth.length ? r : undefined;
          },
          60_000,
        );
        expect(bp.map(([t, sys, dia, method]) => [Date.parse(t), sys, dia, method])).toEqual(
          bpTruth.map((c) => [Math.floor(c.at / 1000) * 1000, c.systolic, c.diastolic, 'bls-user-id']),
        );
        const kgTruth = scale.taken.filter((t) => t.userId === user);
        const kg = await eventually(
          `user ${user}'s weight`,
          async () => {
            const r = await from('body_weight', 'weight, attr_method', account);
            return r.length === kgTruth.length ? r : undefined;
          },
          60_000,
        );
        expect(kg.map(([, w, method]) => [w, method])).toEqual(
          kgTruth.map((t) => [t.weightKg, 'uds-user-index']),
        );
      }

      // 6. The advertisement-only scale's two weighings wait in the inbox, nowhere in InfluxDB.
      const inbox = await eventually(
        'the Mi scale weighings in the inbox',
        async () => {
          const body = await json<{ items: InboxItem[] }>(
            call(li, api, 'GET', `/v1/households/${hid}/inbox`),
            200,
          );
          const mine = body.items.filter((i) => i.metric === 'body_composition');
          return mine.length === 2 ? mine : undefined;
        },
        30_000,
      );
      expect(inbox.map((i) => i.values.weight).sort()).toEqual(miScale.taken.map((t) => t.weightKg).sort());
      expect(inbox.every((i) => i.reason === 'ambiguous')).toBe(true);
      for (const account of [liId, alexId, miaId])
        expect(
          (await from('body_weight', 'weight', account)).filter(([, w]) =>
            inbox.some((i) => i.values.weight === w),
          ),
        ).toEqual([]);

      // 7. Filing one moves it to the dependent, at its original time.
      const filed = inbox[0]!;
      await json(
        call(li, api, 'POST', `/v1/households/${hid}/inbox/${filed.id}/file`, { account_id: miaId }),
        202,
      );
      const miaWeights = await eventually(
        "the filed weighing under the dependent's account",
        async () => {
          const r = await from('body_composition', 'weight, attr_method', miaId);
          return r.length === 1 ? r : undefined;
        },
        30_000,
      );
      expect(miaWeights.map(([t, w, m]) => [Date.parse(t), w, m])).toEqual([
        [new Date(filed.measured_at).getTime(), filed.values.weight, 'manual'],
      ]);

      // 8. Reassigning it moves it to 李伟, and reassigning it again moves it back: exactly one copy each time.
      const readingOf = async (browser: TestBrowser, account: string) => {
        const q = `metric=body_composition&from=${new Date(START - 86_400_000).toISOString()}&to=${new Date(clock.now() + 60_000).toISOString()}`;
        const body = await json<{ readings: { id: string; values: Record<string, number> }[] }>(
          call(browser, api, 'GET', `/v1/households/${hid}/members/${account}/readings?${q}`),
          200,
        );
        return body.readings.find((r) => r.values.weight === filed.values.weight)!;
      };
      const liBefore = (await from('body_composition', 'weight', liId)).length;
      const onMia = await readingOf(li, miaId);
      await json(call(li, api, 'POST', `/v1/readings/${onMia.id}/reassign`, { to_account_id: liId }), 202);
      await eventually('the reading under 李伟', async () =>
        (await from('body_composition', 'weight', liId)).length === liBefore + 1 &&
        (await from('body_composition', 'weight', miaId)).length === 0
          ? true
          : undefined,
      );
      const onLi = await readingOf(li, liId);
      await json(call(li, api, 'POST', `/v1/readings/${onLi.id}/reassign`, { to_account_id: miaId }), 202);
      await eventually('the reading back under the dependent', async () =>
        (await from('body_composition', 'weight', liId)).length === liBefore &&
        (await from('body_composition', 'weight', miaId)).length === 1
          ? true
          : undefined,
      );
      expect((await from('body_composition', 'weight', miaId)).map(([t, w]) => [Date.parse(t), w])).toEqual([
        [new Date(filed.measured_at).getTime(), filed.values.weight],
      ]);
      await gateway.flush();
    } finally {
      await gateway?.stop();
      await uplink.close();
      await central.close();
      await bluez.stop();
      await daemon.stop();
      home.dispose();
      if (previousBus === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = previousBus;
    }
  }, 300_000);
});
