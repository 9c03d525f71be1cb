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
import { ManualClock, SimHome, type WeightScale } from '@linkwell/device-sim';
import {
  connectMqttUplink,
  createGateway,
  type Gateway,
  type MqttUplink,
  ScaleUserStore,
} from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIngest } from '../../src/demo-platform.js';
import { influxQuery, startInfluxd } from '../../src/harness/index.js';
import { eventually } from '../../src/wait.js';

const GW = 'gw_uds';
const SCALE = 'D0:00:00:00:00:23';
const OWNER = 'acct_uds_owner';
const ADULT = 'acct_uds_adult';
const START = Date.UTC(2026, 11, 7, 7, 0, 0);

interface Command {
  id: string;
  op: string;
  state: string;
  args: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

type Row = [string, ...unknown[]];

/**
 * UDS users through the real stack: the API queues uds_consent / uds_register in the PGlite registry, real
 * ingest (Aedes) sends them to a real gateway on the simulated radio, whose scale-user store then makes every
 * link consent as the user, and the user's weighing lands in InfluxDB under the member mapped to the slot.
 * The gateway has no users in its start-up configuration: everything it consents as came through the API.
 */
describe('UDS registration and consent: API → ingest → gateway → scale, and the weighing back to InfluxDB', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let app: ApiApp;
  let dir: string;
  let householdId: string;
  let deviceId: string;
  const keys = generateSigningKeys();
  const issuer = createTokenIssuer(keys);
  const clock = new ManualClock(START);
  const home = new SimHome({
    clock,
    seed: 3,
    devices: [{ kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0 } }],
  });
  const scale = home.find('scale') as WeightScale;
  const store = ScaleUserStore.inMemory();
  let uplink: MqttUplink;
  let gateway: Gateway;

  const auth = { authorization: `Bearer ${issuer.userToken(OWNER, { scopes: ['account'] })}` };
  const api = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, headers = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { ...auth, ...headers },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json<T>(), raw: res.body };
  };
  const finished = (id: string) =>
    api<Command>('GET', `/v1/commands/${id}`, undefined, { prefer: 'wait=20' }).then((r) => r.body);
  const storedArgs = async (id: string) =>
    (await db.query<{ args: object }>('SELECT args FROM gateway_commands WHERE id = $1', [id])).rows[0]?.args;
  const weights = async (account: string) => {
    const body = (await influxQuery(
      influx.url,
      `SELECT weight, attr_method FROM "linkwell"."autogen"."body_weight" WHERE account = '${account}'`,
    )) as { results: { series?: { values: Row[] }[] }[] };
    return (body.results[0]?.series?.[0]?.values ?? []).map(([, w, method]) => [w, method]);
  };

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-uds-'));
    db = await openPglite();
    await migrate(db);
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ($1, 'Owner'), ($2, 'Adult')`, [
      OWNER,
      ADULT,
    ]);
    app = buildApp({
      db,
      keys,
      influx: { url: influx.url, database: 'linkwell' },
      metrics: new Registry(),
      logger: false,
      gatewayCommands: { deadlineMs: 5000, answerGraceMs: 5000, resetDeadlineMs: 1500 },
    });
    await app.ready();
    householdId = (await api<{ id: string }>('POST', '/v1/households', { name: 'UDS home' })).body.id;
    await db.query(
      `INSERT INTO household_members (household_id, account_id, role) VALUES ($1, $2, 'adult')`,
      [householdId, ADULT],
    );
    await db.query(`INSERT INTO gateways (id, household_id, name) VALUES ($1, $2, 'Hall')`, [
      GW,
      householdId,
    ]);
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      platform: { commands: { pollMs: 200, answerGraceMs: 5000 } },
    });
    uplink = await connectMqttUplink({
      url: ingest.mqttUrl,
      gatewayId: GW,
      token: issuer.gatewayToken(GW),
      version: 'uds-test',
      reconnect: { initialMs: 100, maxMs: 200 },
    });
    gateway = createGateway({
      id: GW,
      central: home.radio(),
      uplink,
      logger: pino({ level: 'silent' }),
      now: Date.now,
      batch: { maxReadings: 50, lingerMs: 5 },
      scaleUsers: store,
      // Each stored user gets a link in turn, and the scale (which stays awake) is revisited.
      uds: { quietMs: 300, revisitMs: 600 },
      commands: { pairScanMs: 200, captureScanMs: 0, syncQuietMs: 100, syncMaxMs: 2000 },
    });
    await gateway.start();
    await eventually('the scale nearby', async () => {
      const { body } = await api<{ nearby: { address: string }[] }>(
        'GET',
        `/v1/households/${householdId}/nearby`,
      );
      return body.nearby.some((n) => n.address === SCALE) ? true : undefined;
    });
    const claim = await api<{ id: string; attribution: string }>(
      'POST',
      `/v1/households/${householdId}/devices`,
      {
        address: SCALE,
      },
    );
    expect(claim.body.attribution).toBe('slots');
    deviceId = claim.body.id;
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop().catch(() => {});
    await uplink?.close().catch(() => {});
    home.dispose();
    await ingest?.close();
    await app?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a wrong consent code through the gateway (GATEWAY_ERR_CONSENT_FAILED), stores no user and keeps no code', async () => {
    const put = await api<{ command: Command }>('PUT', `/v1/devices/${deviceId}/slots/1`, {
      account_id: OWNER,
      consent_code: '0000',
    });
    expect(put.status).toBe(200);
    const done = await finished(put.body.command.id);
    expect(done).toMatchObject({ state: 'error', error: { code: 'GATEWAY_ERR_CONSENT_FAILED' } });
    expect(done.error?.message).toBe(`${SCALE}: user_not_authorized`);
    expect(store.list()).toEqual([]);
    expect(await storedArgs(done.id)).toEqual({ address: SCALE, index: 1 });
  });

  it('maps slot 2 with its consent code: the gateway consents as user 2 and the stored weighing lands under the member', async () => {
    // Sam (scale user 2) weighed before anyone mapped the slot: the scale keeps it until a central consents.
    scale.step({ user: 2 });
    clock.advance(60_000);
    expect(scale.storedReadings(2)).toHaveLength(1);
    const put = await api<{ slots: unknown[]; command: Command }>('PUT', `/v1/devices/${deviceId}/slots/2`, {
      account_id: ADULT,
      consent_code: '5678',
    });
    expect(put.body.command).toMatchObject({
      op: 'uds_consent',
      state: 'queued',
      args: { address: SCALE, index: 2 },
    });
    expect(put.raw).not.toContain('5678');
    const done = await finished(put.body.command.id);
    expect(done).toMatchObject({ state: 'ok', result: { address: SCALE, index: 2, stored: true } });
    // Ingest dropped the code from the row when it stored the result.
    expect(await storedArgs(done.id)).toEqual({ address: SCALE, index: 2 });
    expect(store.list()).toEqual([{ address: SCALE, index: 2, consent: 5678 }]);
    const truth = scale.taken.filter((t) => t.userId === 2).map((t) => [t.weightKg, 'uds-user-index']);
    const got = await eventually(
      "user 2's weighing under the adult in InfluxDB",
      async () => ((await weights(ADULT)).length === truth.length ? weights(ADULT) : undefined),
      30_000,
      200,
    );
    expect(got).toEqual(truth);
    expect(await weights(OWNER)).toEqual([]);
  }, 60_000);

  it('registers the owner as a new scale user: the index the scale assigned is mapped, and their weighing follows', async () => {
    const reg = await api<{ slot: number; device: { slots: unknown[] }; command: Command }>(
      'POST',
      `/v1/devices/${deviceId}/users`,
      { account_id: OWNER, consent_code: '2468' },
    );
    expect(reg.status).toBe(201);
    // Users 1 and 2 exist on the scale; the lowest free index is 0.
    expect(reg.body.slot).toBe(0);
    expect(reg.body.command).toMatchObject({ op: 'uds_register', state: 'ok', result: { index: 0 } });
    expect(reg.body.device.slots).toEqual([
      { slot: 0, account_id: OWNER },
      { slot: 1, account_id: OWNER },
      { slot: 2, account_id: ADULT },
    ]);
    expect(reg.raw).not.toContain('2468');
    expect(await storedArgs(reg.body.command.id)).toEqual({ address: SCALE });
    expect(store.list()).toEqual([
      { address: SCALE, index: 0, consent: 2468 },
      { address: SCALE, index: 2, consent: 5678 },
    ]);
    scale.step({ user: 0 });
    clock.advance(60_000);
    const truth = scale.taken.filter((t) => t.userId === 0).map((t) => [t.weightKg, 'uds-user-index']);
    expect(truth).toHaveLength(1);
    const got = await eventually(
      "the new user's weighing under the owner in InfluxDB",
      async () => ((await weights(OWNER)).length === truth.length ? weights(OWNER) : undefined),
      30_000,
      200,
    );
    expect(got).toEqual(truth);
    expect((await weights(ADULT)).length).toBe(1);
  }, 60_000);
});
