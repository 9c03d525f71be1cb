import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
} from '../src/index.js';
import { bearer, emptyInflux, expectProblem } from './helpers.js';

const keys = generateSigningKeys();
const users = createTokenIssuer(keys);
const auth = (account: string) => bearer(users.userToken(account, { scopes: ['account'] }));
const LI = 'acct_li';
const ALEX = 'acct_alex';
const SAM = 'acct_sam';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const SCALE = 'D0:00:00:00:00:03';
const CUFF = 'D0:00:00:00:00:02';
const BAND = 'D0:00:00:00:00:01';

interface Command {
  id: string;
  op: string;
  args: Record<string, unknown>;
  state: string;
}

/**
 * UDS registration and consent through the devices API (docs/devices.md "UDS users"). The gateway's side
 * is played here by writing what ingest writes when a result comes back; tests/test/devices runs the real
 * gateway, ingest and broker.
 */
describe('UDS users through the devices API', () => {
  let db: Database;
  let app: ApiApp;
  const clock = T0;
  let home: string;
  let samHome: string;
  let scale: string;
  let cuff: string;
  let band: string;
  let samScale: string;

  const req = (account: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url, headers: auth(account), ...(payload ? { payload } : {}) });

  const commandRows = async (op: string) =>
    (
      await db.query<{ id: string; args: Record<string, unknown>; state: string }>(
        'SELECT id, args, state FROM gateway_commands WHERE op = $1 ORDER BY created_at, id',
        [op],
      )
    ).rows;

  /** What ingest stores when the gateway answers (ingest/src/platform/platform-sql.ts finish). */
  async function answer(op: string, outcome: { result: object } | { error: string }): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const open = (await commandRows(op)).find((c) => c.state === 'queued');
      if (open) {
        await db.query(
          `UPDATE gateway_commands SET state = $2, result = $3::jsonb, error_code = $4, finished_at = $5,
             args = args - 'passkey' - 'consent' WHERE id = $1`,
          'result' in outcome
            ? [open.id, 'ok', JSON.stringify(outcome.result), null, new Date(clock)]
            : [
                open.id,
                'error',
                JSON.stringify({ message: 'operation_failed' }),
                outcome.error,
                new Date(clock),
              ],
        );
        return open.id;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no queued ${op}`);
  }

  async function claim(account: string, hid: string, address: string): Promise<string> {
    const res = await req(account, 'POST', `/v1/households/${hid}/devices`, { address });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  }

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.exec(
      `INSERT INTO accounts (id, display_name) VALUES ('${LI}', '李伟'), ('${ALEX}', 'Alex'), ('${SAM}', 'Sam')`,
    );
    app = buildApp({
      db,
      keys,
      influx: { url: 'http://influx.invalid', database: 'linkwell' },
      metrics: new Registry(),
      logger: false,
      fetch: emptyInflux,
      now: () => clock,
      gatewayCommands: { deadlineMs: 20_000, answerGraceMs: 15_000, resetDeadlineMs: 200 },
    });
    await app.ready();
    for (const [account, name] of [
      [LI, '李家'],
      [SAM, 'Sam home'],
    ] as const) {
      const res = await req(account, 'POST', '/v1/households', { name });
      if (account === LI) home = res.json<{ id: string }>().id;
      else samHome = res.json<{ id: string }>().id;
    }
    await db.query(
      `INSERT INTO household_members (household_id, account_id, role) VALUES ($1, $2, 'adult')`,
      [home, ALEX],
    );
    await db.query(
      `INSERT INTO gateways (id, household_id, name, created_at) VALUES ('gw_li', $1, 'Hall', $3), ('gw_sam', $2, 'Hub', $3)`,
      [home, samHome, new Date(T0 - 3600_000)],
    );
    await db.query(
      `INSERT INTO gateway_presence (gateway_id, online, version, since, updated_at) VALUES ('gw_li', true, '0.4.0', $1, $1)`,
      [new Date(T0 - 60_000)],
    );
    for (const [gw, address, profile] of [
      ['gw_li', SCALE, 'beurer.bf720'],
      ['gw_li', CUFF, 'omron.blesmart-cuff'],
      ['gw_li', BAND, 'sig.heart-rate'],
      ['gw_sam', SCALE, 'beurer.bf720'],
    ] as const)
      await db.query(
        `INSERT INTO nearby_devices (gateway_id, address, profile_id, seen_at) VALUES ($1, $2, $3, $4)`,
        [gw, address, profile, new Date(clock)],
      );
    scale = await claim(LI, home, SCALE);
    cuff = await claim(LI, home, CUFF);
    band = await claim(LI, home, BAND);
    samScale = await claim(SAM, samHome, SCALE);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('maps a slot with a consent code and queues uds_consent for it, whose code the API never shows', async () => {
    const res = await req(LI, 'PUT', `/v1/devices/${scale}/slots/1`, {
      account_id: ALEX,
      consent_code: '0042',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ slots: unknown[]; command: Command }>();
    expect(body.slots).toEqual([{ slot: 1, account_id: ALEX }]);
    expect(body.command).toMatchObject({
      op: 'uds_consent',
      gateway_id: 'gw_li',
      device_id: scale,
      state: 'queued',
      args: { address: SCALE, index: 1 },
    });
    expect(res.body).not.toContain('0042');
    // Ingest needs the code to send it, so the row has it while the command is open (as a number, the wire type).
    const [row] = await commandRows('uds_consent');
    expect(row?.args).toEqual({ address: SCALE, index: 1, consent: 42 });
    const read = await req(LI, 'GET', `/v1/commands/${body.command.id}`);
    expect(read.json<Command>().args).toEqual({ address: SCALE, index: 1 });
  });

  it('drops the consent code from the row when the command times out (the API’s timed_out rule)', async () => {
    const res = await req(LI, 'PUT', `/v1/devices/${scale}/slots/2`, {
      account_id: LI,
      consent_code: '7777',
    });
    const id = res.json<{ command: Command }>().command.id;
    // The gateway went away; past the deadline the API ends the command on read.
    await db.query(`UPDATE gateway_presence SET online = false WHERE gateway_id = 'gw_li'`);
    await db.query('UPDATE gateway_commands SET deadline = $2 WHERE id = $1', [id, new Date(T0 - 1)]);
    const read = await req(LI, 'GET', `/v1/commands/${id}`);
    await db.query(`UPDATE gateway_presence SET online = true WHERE gateway_id = 'gw_li'`);
    expect(read.json<{ state: string; error: { code: string } }>()).toMatchObject({
      state: 'timed_out',
      error: { code: 'API_ERR_GATEWAY_OFFLINE' },
    });
    const { rows } = await db.query<{ args: object }>('SELECT args FROM gateway_commands WHERE id = $1', [
      id,
    ]);
    expect(rows[0]?.args).toEqual({ address: SCALE, index: 2 });
  });

  it('refuses a consent code for a device with no UDS, a malformed code and a slot out of range, mapping nothing', async () => {
    await req(LI, 'PUT', `/v1/devices/${cuff}/attribution`, { mode: 'slots' });
    const before = (await commandRows('uds_consent')).length;
    expectProblem(
      await req(LI, 'PUT', `/v1/devices/${cuff}/slots/0`, { account_id: LI, consent_code: '1234' }),
      {
        status: 409,
        code: 'API_ERR_UDS_UNSUPPORTED',
        detail:
          'This device has no UDS user control point (registration and consent codes are for multi-user scales).',
        instance: `/v1/devices/${cuff}/slots/0`,
        kind: 'bp_cuff',
      },
    );
    const bad = await req(LI, 'PUT', `/v1/devices/${scale}/slots/0`, {
      account_id: LI,
      consent_code: '12345',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ code: string }>().code).toBe('API_ERR_VALIDATION');
    const range = await req(LI, 'PUT', `/v1/devices/${scale}/slots/9`, {
      account_id: LI,
      consent_code: '1234',
    });
    expect(range.json<{ code: string }>().code).toBe('API_ERR_SLOT_OUT_OF_RANGE');
    const device = (await req(LI, 'GET', `/v1/devices/${cuff}`)).json<{ slots: unknown[] }>();
    expect(device.slots).toEqual([]);
    expect(
      (await req(LI, 'GET', `/v1/devices/${scale}`))
        .json<{ slots: { slot: number }[] }>()
        .slots.map((s) => s.slot),
    ).toEqual([1, 2]);
    expect(await commandRows('uds_consent')).toHaveLength(before);
  });

  it('registers a member, waits for the index the scale assigned and maps it once, growing slot_count to hold it', async () => {
    const pending = req(LI, 'POST', `/v1/devices/${scale}/users`, { account_id: ALEX, consent_code: '3141' });
    const id = await answer('uds_register', { result: { address: SCALE, index: 5, stored: true } });
    const res = await pending;
    expect(res.statusCode).toBe(201);
    const body = res.json<{
      slot: number;
      device: { slot_count: number; slots: unknown[] };
      command: Command;
    }>();
    expect(body.slot).toBe(5);
    expect(body.command).toMatchObject({ id, op: 'uds_register', state: 'ok', args: { address: SCALE } });
    expect(body.device.slot_count).toBe(6);
    expect(body.device.slots).toEqual([
      { slot: 1, account_id: ALEX },
      { slot: 2, account_id: LI },
      { slot: 5, account_id: ALEX },
    ]);
    expect(res.body).not.toContain('3141');
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM device_assignments WHERE device_id = $1 AND slot = 5',
      [scale],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('answers 502 API_ERR_UDS_REGISTER_FAILED with the gateway’s code when the scale refused, and maps nothing', async () => {
    const pending = req(LI, 'POST', `/v1/devices/${scale}/users`, { account_id: LI, consent_code: '2718' });
    const id = await answer('uds_register', { error: 'GATEWAY_ERR_UDS_REGISTER_FAILED' });
    expectProblem(await pending, {
      status: 502,
      code: 'API_ERR_UDS_REGISTER_FAILED',
      detail: 'The gateway did not register this user on the scale.',
      instance: `/v1/devices/${scale}/users`,
      command_id: id,
      state: 'error',
      gateway_code: 'GATEWAY_ERR_UDS_REGISTER_FAILED',
    });
    const device = (await req(LI, 'GET', `/v1/devices/${scale}`)).json<{ slots: unknown[] }>();
    expect(device.slots).toHaveLength(3);
  });

  it('refuses registration for a non-member, a single-owner device, a cuff and another household’s scale, queueing nothing', async () => {
    const before = (await commandRows('uds_register')).length;
    const nonMember = await req(LI, 'POST', `/v1/devices/${scale}/users`, {
      account_id: SAM,
      consent_code: '1234',
    });
    expect(nonMember.json<{ code: string }>().code).toBe('API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND');
    const single = await req(LI, 'POST', `/v1/devices/${band}/users`, {
      account_id: LI,
      consent_code: '1234',
    });
    expect(single.json<{ code: string; attribution: string }>()).toMatchObject({
      code: 'API_ERR_ATTRIBUTION_MISMATCH',
      attribution: 'single',
    });
    const cuffRes = await req(LI, 'POST', `/v1/devices/${cuff}/users`, {
      account_id: LI,
      consent_code: '1234',
    });
    expect(cuffRes.json<{ code: string }>().code).toBe('API_ERR_UDS_UNSUPPORTED');
    expectProblem(
      await req(LI, 'POST', `/v1/devices/${samScale}/users`, { account_id: LI, consent_code: '1234' }),
      {
        status: 404,
        code: 'API_ERR_DEVICE_NOT_FOUND',
        detail: 'No such device in your households.',
        instance: `/v1/devices/${samScale}/users`,
        device_id: samScale,
      },
    );
    const missing = await req(LI, 'POST', `/v1/devices/${scale}/users`, { account_id: LI });
    expect(missing.json<{ code: string }>().code).toBe('API_ERR_VALIDATION');
    expect(await commandRows('uds_register')).toHaveLength(before);
  });
});
