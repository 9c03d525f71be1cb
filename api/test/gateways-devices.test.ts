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
const KID = 'acct_kid';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const CUFF = 'D0:00:00:00:00:02';
const SCALE = 'D0:00:00:00:00:03';
const BAND = 'D0:00:00:00:00:01';
const MI = 'D0:00:00:00:00:06';
const FAR = 'D0:00:00:00:09:99';

describe('gateways and devices through the API', () => {
  let db: Database;
  let app: ApiApp;
  let clock = T0;
  let liHome: string;
  let samHome: string;
  const at = (ms: number) => new Date(ms).toISOString();

  const req = (
    account: string,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) =>
    app.inject({ method, url, headers: { ...auth(account), ...headers }, ...(payload ? { payload } : {}) });

  async function household(account: string, name: string): Promise<string> {
    const res = await req(account, 'POST', '/v1/households', { name });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  }

  /** What ingest writes from a gateway's status and events (ingest/src/platform), here written directly. */
  async function heard(gw: string, address: string, profile: string, extra: Record<string, unknown> = {}) {
    await db.query(
      `INSERT INTO nearby_devices (gateway_id, address, name, profile_id, model, maker, battery_percent, rssi, seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (gateway_id, address) DO UPDATE SET seen_at = EXCLUDED.seen_at`,
      [
        gw,
        address,
        extra.name ?? null,
        profile,
        extra.model ?? null,
        extra.maker ?? null,
        extra.battery ?? null,
        extra.rssi ?? null,
        new Date(clock),
      ],
    );
  }

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES
        ('${LI}', '李伟'), ('${ALEX}', 'Alex Morgan'), ('${SAM}', 'Sam Lee'), ('${KID}', 'Mia');
    `);
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
    liHome = await household(LI, '李家');
    samHome = await household(SAM, 'Sam home');
    await db.query(
      `INSERT INTO household_members (household_id, account_id, role) VALUES ($1, $2, 'adult'), ($1, $3, 'dependent')`,
      [liHome, ALEX, KID],
    );
    await db.query(
      `INSERT INTO gateways (id, household_id, name, created_at) VALUES
         ('gw_li', $1, 'Hallway', $3), ('gw_li2', $1, 'Bedroom', $4), ('gw_sam', $2, 'Sam hub', $3)`,
      [liHome, samHome, new Date(T0 - 3600_000), new Date(T0 - 1800_000)],
    );
    await db.query(
      `INSERT INTO gateway_presence (gateway_id, online, version, since, updated_at) VALUES
         ('gw_li', true, '0.4.0', $1, $1), ('gw_sam', false, '0.4.0', $1, $1)`,
      [new Date(T0 - 60_000)],
    );
    await heard('gw_li', CUFF, 'omron.blesmart-cuff', {
      name: 'BLEsmart_0000',
      model: 'HEM-7600T',
      maker: 'Omron',
      battery: 87,
      rssi: -61,
    });
    await heard('gw_li', SCALE, 'beurer.bf720', { name: 'BF720', model: 'BF720', maker: 'Beurer' });
    await heard('gw_li2', BAND, 'sig.heart-rate', { name: 'Band' });
    await heard('gw_li', MI, 'xiaomi.mi-scale', { name: 'MI SCALE2' });
    await heard('gw_sam', FAR, 'sig.heart-rate', { name: "Sam's band" });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('lists the household’s gateways with online status and since, to members only', async () => {
    const res = await req(ALEX, 'GET', `/v1/households/${liHome}/gateways`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      gateways: [
        {
          id: 'gw_li',
          household_id: liHome,
          name: 'Hallway',
          online: true,
          since: at(T0 - 60_000),
          version: '0.4.0',
          created_at: at(T0 - 3600_000),
        },
        {
          id: 'gw_li2',
          household_id: liHome,
          name: 'Bedroom',
          online: false,
          since: null,
          version: null,
          created_at: at(T0 - 1800_000),
        },
      ],
    });
    expectProblem(await req(SAM, 'GET', `/v1/households/${liHome}/gateways`), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
      detail: 'No such household among yours.',
      instance: `/v1/households/${liHome}/gateways`,
      household_id: liHome,
    });
  });

  it('renames a gateway; another household’s gateway id answers 404', async () => {
    const res = await req(LI, 'PATCH', '/v1/gateways/gw_li2', { name: 'Kitchen' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'gw_li2', name: 'Kitchen' });
    expectProblem(await req(LI, 'PATCH', '/v1/gateways/gw_sam', { name: 'Mine now' }), {
      status: 404,
      code: 'API_ERR_GATEWAY_NOT_FOUND',
      detail: 'No such gateway in your households.',
      instance: '/v1/gateways/gw_sam',
      gateway_id: 'gw_sam',
    });
    const { rows } = await db.query<{ name: string }>("SELECT name FROM gateways WHERE id = 'gw_sam'");
    expect(rows).toEqual([{ name: 'Sam hub' }]);
  });

  it('shows nearby devices the household’s gateways heard, newest sighting per address, and nothing of other households', async () => {
    const res = await req(LI, 'GET', `/v1/households/${liHome}/nearby`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      nearby: [
        {
          address: BAND,
          name: 'Band',
          profile_id: 'sig.heart-rate',
          model: null,
          maker: null,
          battery_percent: null,
          rssi: null,
          gateway_id: 'gw_li2',
          seen_at: at(T0),
        },
        {
          address: CUFF,
          name: 'BLEsmart_0000',
          profile_id: 'omron.blesmart-cuff',
          model: 'HEM-7600T',
          maker: 'Omron',
          battery_percent: 87,
          rssi: -61,
          gateway_id: 'gw_li',
          seen_at: at(T0),
        },
        {
          address: SCALE,
          name: 'BF720',
          profile_id: 'beurer.bf720',
          model: 'BF720',
          maker: 'Beurer',
          battery_percent: null,
          rssi: null,
          gateway_id: 'gw_li',
          seen_at: at(T0),
        },
        {
          address: MI,
          name: 'MI SCALE2',
          profile_id: 'xiaomi.mi-scale',
          model: null,
          maker: null,
          battery_percent: null,
          rssi: null,
          gateway_id: 'gw_li',
          seen_at: at(T0),
        },
      ],
    });
    expect((await req(SAM, 'GET', `/v1/households/${samHome}/nearby`)).json()).toEqual({
      nearby: [expect.objectContaining({ address: FAR, gateway_id: 'gw_sam' })],
    });
    expectProblem(await req(SAM, 'GET', `/v1/households/${liHome}/nearby`), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
      detail: 'No such household among yours.',
      instance: `/v1/households/${liHome}/nearby`,
      household_id: liHome,
    });
  });

  it('claims a cuff as a 4-slot device with its DIS maker, model and battery; it leaves nearby', async () => {
    clock = T0 + 1000;
    const res = await req(LI, 'POST', `/v1/households/${liHome}/devices`, { address: CUFF.toLowerCase() });
    expect(res.statusCode).toBe(201);
    const d = res.json<{ id: string }>();
    expect(d.id).toMatch(/^dev_[A-Za-z0-9]{16}$/);
    expect(d).toEqual({
      id: d.id,
      household_id: liHome,
      address: CUFF,
      name: 'BLEsmart_0000',
      kind: 'bp_cuff',
      profile_id: 'omron.blesmart-cuff',
      model: 'HEM-7600T',
      maker: 'Omron',
      battery_percent: 87,
      attribution: 'slots',
      slot_count: 4,
      owner: null,
      slots: [],
      claimed_by: LI,
      claimed_at: at(T0 + 1000),
      created_at: at(T0 + 1000),
    });
    const nearby = (await req(LI, 'GET', `/v1/households/${liHome}/nearby`)).json<{
      nearby: { address: string }[];
    }>();
    expect(nearby.nearby.map((n) => n.address)).toEqual([BAND, SCALE, MI]);
    expect((await req(ALEX, 'GET', `/v1/households/${liHome}/devices`)).json()).toEqual({ devices: [d] });
    expect((await req(ALEX, 'GET', `/v1/devices/${d.id}`)).json()).toEqual(d);
  });

  it('claims a wristband for the claimer and an advertisement-only scale attributed by weight', async () => {
    const band = await req(ALEX, 'POST', `/v1/households/${liHome}/devices`, {
      address: BAND,
      name: 'Alex band',
    });
    expect(band.statusCode).toBe(201);
    expect(band.json()).toMatchObject({
      kind: 'wristband',
      attribution: 'single',
      slot_count: null,
      owner: ALEX,
      name: 'Alex band',
    });
    const { rows } = await db.query(
      'SELECT account_id FROM ingest_device_accounts WHERE gateway_id = $1 AND device_address = $2 AND slot IS NULL',
      ['gw_li', BAND],
    );
    expect(rows).toEqual([{ account_id: ALEX }]);
    const mi = await req(LI, 'POST', `/v1/households/${liHome}/devices`, { address: MI });
    expect(mi.json()).toMatchObject({ kind: 'scale', attribution: 'weight', owner: null, slots: [] });
  });

  it('refuses unknown and foreign addresses with API_ERR_DEVICE_NOT_NEARBY, and a second claim with 409', async () => {
    for (const address of [FAR, 'D0:00:00:00:0A:0A']) {
      expectProblem(await req(LI, 'POST', `/v1/households/${liHome}/devices`, { address }), {
        status: 404,
        code: 'API_ERR_DEVICE_NOT_NEARBY',
        detail: 'None of your gateways heard this device recently.',
        instance: `/v1/households/${liHome}/devices`,
        address,
      });
    }
    const cuff = (await req(LI, 'GET', `/v1/households/${liHome}/devices`))
      .json<{ devices: { id: string; address: string }[] }>()
      .devices.find((d) => d.address === CUFF)!;
    expectProblem(await req(ALEX, 'POST', `/v1/households/${liHome}/devices`, { address: CUFF }), {
      status: 409,
      code: 'API_ERR_DEVICE_ALREADY_CLAIMED',
      detail: 'Your household already claimed this device.',
      instance: `/v1/households/${liHome}/devices`,
      address: CUFF,
      device_id: cuff.id,
    });
    expectProblem(await req(SAM, 'POST', `/v1/households/${liHome}/devices`, { address: SCALE }), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
      detail: 'No such household among yours.',
      instance: `/v1/households/${liHome}/devices`,
      household_id: liHome,
    });
    expectProblem(await req(LI, 'POST', `/v1/households/${liHome}/devices`, { address: 'not-an-address' }), {
      status: 400,
      code: 'API_ERR_VALIDATION',
      detail: expect.any(String),
      instance: `/v1/households/${liHome}/devices`,
      field: expect.any(String),
      issues: expect.any(Array),
    });
  });

  it('lets exactly one of two concurrent claims of one device win', async () => {
    const [a, b] = await Promise.all([
      req(LI, 'POST', `/v1/households/${liHome}/devices`, { address: SCALE }),
      req(ALEX, 'POST', `/v1/households/${liHome}/devices`, { address: SCALE }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.json()).toMatchObject({ code: 'API_ERR_DEVICE_ALREADY_CLAIMED', address: SCALE });
    const { rows } = await db.query('SELECT id FROM devices WHERE household_id = $1 AND address = $2', [
      liHome,
      SCALE,
    ]);
    expect(rows).toHaveLength(1);
  });

  async function deviceAt(address: string): Promise<{ id: string }> {
    const list = (await req(LI, 'GET', `/v1/households/${liHome}/devices`)).json<{
      devices: { id: string; address: string }[];
    }>();
    return list.devices.find((d) => d.address === address)!;
  }

  it('maps cuff slots to members; refuses slot 4 of 4, a non-member and an owner on a slots device', async () => {
    const cuff = await deviceAt(CUFF);
    const one = await req(LI, 'PUT', `/v1/devices/${cuff.id}/slots/0`, { account_id: LI });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ slots: [{ slot: 0, account_id: LI }], discarded_inbox_items: 0 });
    const two = await req(ALEX, 'PUT', `/v1/devices/${cuff.id}/slots/1`, { account_id: KID });
    expect(two.json()).toMatchObject({
      slots: [
        { slot: 0, account_id: LI },
        { slot: 1, account_id: KID },
      ],
    });
    const { rows } = await db.query(
      'SELECT slot, account_id FROM ingest_device_accounts WHERE gateway_id = $1 AND device_address = $2 ORDER BY slot',
      ['gw_li', CUFF],
    );
    expect(rows).toEqual([
      { slot: 0, account_id: LI },
      { slot: 1, account_id: KID },
    ]);
    expectProblem(await req(LI, 'PUT', `/v1/devices/${cuff.id}/slots/4`, { account_id: LI }), {
      status: 400,
      code: 'API_ERR_SLOT_OUT_OF_RANGE',
      detail: 'Slots of this device are 0 to 3.',
      instance: `/v1/devices/${cuff.id}/slots/4`,
      slot: 4,
      slot_count: 4,
    });
    expectProblem(await req(LI, 'PUT', `/v1/devices/${cuff.id}/slots/2`, { account_id: SAM }), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
      detail: 'This account is not a member of the household.',
      instance: `/v1/devices/${cuff.id}/slots/2`,
      account_id: SAM,
    });
    expectProblem(await req(LI, 'PUT', `/v1/devices/${cuff.id}/owner`, { account_id: LI }), {
      status: 409,
      code: 'API_ERR_ATTRIBUTION_MISMATCH',
      detail: 'This device is attributed by slots.',
      instance: `/v1/devices/${cuff.id}/owner`,
      attribution: 'slots',
    });
    const cleared = await req(LI, 'DELETE', `/v1/devices/${cuff.id}/slots/1`);
    expect(cleared.statusCode).toBe(204);
    expectProblem(await req(LI, 'DELETE', `/v1/devices/${cuff.id}/slots/1`), {
      status: 404,
      code: 'API_ERR_SLOT_NOT_ASSIGNED',
      detail: 'No member is mapped to this slot.',
      instance: `/v1/devices/${cuff.id}/slots/1`,
      slot: 1,
    });
  });

  it('with import_history false discards what the slot held in the inbox (the first-sync guard)', async () => {
    const scale = await deviceAt(SCALE);
    const item = (id: string, slot: number) =>
      db.query(
        `INSERT INTO inbox_items (id, gateway_id, household_id, device_address, device_id, slot, metric, measured_at,
           reading, reason, received_at)
         VALUES ($1, 'gw_li', $2, $3, $4, $5, 'body_weight', $6, '{}', 'unassigned_slot', $7)`,
        [id, liHome, SCALE, scale.id, slot, T0 - 86_400_000, new Date(T0)],
      );
    await item('ibx_a', 0);
    await item('ibx_b', 0);
    await item('ibx_c', 1);
    const res = await req(LI, 'PUT', `/v1/devices/${scale.id}/slots/0`, {
      account_id: ALEX,
      import_history: false,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ slots: [{ slot: 0, account_id: ALEX }], discarded_inbox_items: 2 });
    const { rows } = await db.query('SELECT id, state, decided_by FROM inbox_items ORDER BY id');
    expect(rows).toEqual([
      { id: 'ibx_a', state: 'discarded', decided_by: LI },
      { id: 'ibx_b', state: 'discarded', decided_by: LI },
      { id: 'ibx_c', state: 'held', decided_by: null },
    ]);
    // The default imports: slot 1's item stays held for ingest to replay to its member.
    const kept = await req(LI, 'PUT', `/v1/devices/${scale.id}/slots/1`, { account_id: LI });
    expect(kept.json()).toMatchObject({ discarded_inbox_items: 0 });
    expect((await db.query("SELECT state FROM inbox_items WHERE id = 'ibx_c'")).rows).toEqual([
      { state: 'held' },
    ]);
  });

  it('assigns a single device’s owner, switches attribution modes, renames and unclaims', async () => {
    const band = await deviceAt(BAND);
    const owner = await req(LI, 'PUT', `/v1/devices/${band.id}/owner`, { account_id: KID });
    expect(owner.json()).toMatchObject({ owner: KID, attribution: 'single' });
    const slots = await req(LI, 'PUT', `/v1/devices/${band.id}/attribution`, { mode: 'slots' });
    expect(slots.json()).toMatchObject({ attribution: 'slots', slot_count: 4, owner: null, slots: [] });
    expect((await db.query('SELECT * FROM device_assignments WHERE device_id = $1', [band.id])).rows).toEqual(
      [],
    );
    const single = await req(LI, 'PUT', `/v1/devices/${band.id}/attribution`, { mode: 'single' });
    expect(single.json()).toMatchObject({ attribution: 'single', owner: null });
    const renamed = await req(ALEX, 'PATCH', `/v1/devices/${band.id}`, { name: 'Running band' });
    expect(renamed.json()).toMatchObject({ name: 'Running band' });
    expect((await req(LI, 'DELETE', `/v1/devices/${band.id}`)).statusCode).toBe(204);
    expectProblem(await req(LI, 'GET', `/v1/devices/${band.id}`), {
      status: 404,
      code: 'API_ERR_DEVICE_NOT_FOUND',
      detail: 'No such device in your households.',
      instance: `/v1/devices/${band.id}`,
      device_id: band.id,
    });
    // Unclaimed, it is nearby again.
    const nearby = (await req(LI, 'GET', `/v1/households/${liHome}/nearby`)).json<{
      nearby: { address: string }[];
    }>();
    expect(nearby.nearby.map((n) => n.address)).toContain(BAND);
  });

  it('answers 404 to every device, gateway and command route with another household’s ids', async () => {
    const cuff = await deviceAt(CUFF);
    const cmd = await req(LI, 'POST', `/v1/devices/${cuff.id}/commands`, { op: 'sync' });
    expect(cmd.statusCode).toBe(202);
    const cmdId = cmd.json<{ id: string }>().id;
    const attempts: [
      string,
      'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
      string,
      Record<string, unknown>?,
    ][] = [
      ['API_ERR_DEVICE_NOT_FOUND', 'GET', `/v1/devices/${cuff.id}`],
      ['API_ERR_DEVICE_NOT_FOUND', 'PATCH', `/v1/devices/${cuff.id}`, { name: 'x' }],
      ['API_ERR_DEVICE_NOT_FOUND', 'DELETE', `/v1/devices/${cuff.id}`],
      ['API_ERR_DEVICE_NOT_FOUND', 'PUT', `/v1/devices/${cuff.id}/owner`, { account_id: SAM }],
      ['API_ERR_DEVICE_NOT_FOUND', 'PUT', `/v1/devices/${cuff.id}/slots/0`, { account_id: SAM }],
      ['API_ERR_DEVICE_NOT_FOUND', 'DELETE', `/v1/devices/${cuff.id}/slots/0`],
      ['API_ERR_DEVICE_NOT_FOUND', 'PUT', `/v1/devices/${cuff.id}/attribution`, { mode: 'single' }],
      ['API_ERR_DEVICE_NOT_FOUND', 'POST', `/v1/devices/${cuff.id}/commands`, { op: 'unpair' }],
      ['API_ERR_GATEWAY_NOT_FOUND', 'PATCH', '/v1/gateways/gw_li', { name: 'x' }],
      ['API_ERR_GATEWAY_NOT_FOUND', 'POST', '/v1/gateways/gw_li/revoke'],
      ['API_ERR_GATEWAY_NOT_FOUND', 'POST', '/v1/gateways/gw_li/factory-reset'],
      ['API_ERR_COMMAND_NOT_FOUND', 'GET', `/v1/commands/${cmdId}`],
      ['API_ERR_HOUSEHOLD_NOT_FOUND', 'GET', `/v1/households/${liHome}/devices`],
      ['API_ERR_HOUSEHOLD_NOT_FOUND', 'POST', `/v1/households/${liHome}/devices`, { address: CUFF }],
    ];
    for (const [code, method, url, body] of attempts) {
      const res = await req(SAM, method, url, body);
      expect({ url, method, status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({
        url,
        method,
        status: 404,
        code,
      });
    }
    // Nothing changed for the household that owns them.
    expect((await req(LI, 'GET', `/v1/devices/${cuff.id}`)).json()).toMatchObject({
      slots: [{ slot: 0, account_id: LI }],
    });
    expect((await db.query("SELECT revoked_at FROM gateways WHERE id = 'gw_li'")).rows).toEqual([
      { revoked_at: null },
    ]);
  });

  it('queues a device command with a pg_notify, hides the passkey, and reports an offline gateway as timed out', async () => {
    clock = T0 + 10_000;
    const notified: string[] = [];
    const stop = await db.listen('linkwell_commands', (p) => notified.push(p));
    const scale = await deviceAt(SCALE);
    const res = await req(LI, 'POST', `/v1/devices/${scale.id}/commands`, { op: 'pair', passkey: '246810' });
    expect(res.statusCode).toBe(202);
    const c = res.json<{ id: string }>();
    expect(c).toEqual({
      id: expect.stringMatching(/^cmd_/),
      gateway_id: 'gw_li',
      device_id: scale.id,
      op: 'pair',
      args: { address: SCALE },
      state: 'queued',
      result: null,
      error: null,
      created_by: LI,
      created_at: at(T0 + 10_000),
      deadline: at(T0 + 30_000),
      finished_at: null,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(notified).toContain(c.id);
    await stop();
    const stored = await db.query<{ args: unknown }>('SELECT args FROM gateway_commands WHERE id = $1', [
      c.id,
    ]);
    expect(stored.rows).toEqual([{ args: { address: SCALE, passkey: '246810' } }]);

    // The gateway goes offline; at the deadline the command ends timed_out, coded, and its passkey is dropped.
    await db.query("UPDATE gateway_presence SET online = false WHERE gateway_id = 'gw_li'");
    clock = T0 + 29_999;
    expect((await req(LI, 'GET', `/v1/commands/${c.id}`)).json()).toMatchObject({ state: 'queued' });
    clock = T0 + 30_000;
    const done = await req(LI, 'GET', `/v1/commands/${c.id}`);
    expect(done.json()).toEqual({
      ...c,
      state: 'timed_out',
      error: {
        code: 'API_ERR_GATEWAY_OFFLINE',
        message: 'The gateway was offline until the deadline; it will refuse the command when it comes back.',
      },
      finished_at: at(T0 + 30_000),
    });
    expect((await db.query('SELECT args FROM gateway_commands WHERE id = $1', [c.id])).rows).toEqual([
      { args: { address: SCALE } },
    ]);
    await db.query("UPDATE gateway_presence SET online = true WHERE gateway_id = 'gw_li'");
  });

  it('waits for a result with Prefer: wait, and an online gateway that does not answer times out after the grace', async () => {
    clock = T0 + 100_000;
    const cuff = await deviceAt(CUFF);
    const c = (await req(LI, 'POST', `/v1/devices/${cuff.id}/commands`, { op: 'set_time' })).json<{
      id: string;
    }>();
    // What an ingest node does: claim, then store the gateway's answer.
    setTimeout(() => {
      void db.query(
        `UPDATE gateway_commands SET state = 'ok', result = '{"address":"${CUFF}","time_written":true}',
           finished_at = $2 WHERE id = $1`,
        [c.id, new Date(T0 + 100_500)],
      );
    }, 300);
    const started = Date.now();
    const res = await req(LI, 'GET', `/v1/commands/${c.id}`, undefined, { prefer: 'wait=5' });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(res.headers['preference-applied']).toBe('wait=5');
    expect(res.json()).toMatchObject({
      state: 'ok',
      result: { address: CUFF, time_written: true },
      error: null,
      finished_at: at(T0 + 100_500),
    });

    const silent = (await req(LI, 'POST', `/v1/devices/${cuff.id}/commands`, { op: 'sync' })).json<{
      id: string;
    }>();
    await db.query("UPDATE gateway_commands SET state = 'sent' WHERE id = $1", [silent.id]);
    clock = T0 + 100_000 + 20_000;
    expect((await req(LI, 'GET', `/v1/commands/${silent.id}`)).json()).toMatchObject({ state: 'sent' });
    clock = T0 + 100_000 + 35_000;
    expect((await req(LI, 'GET', `/v1/commands/${silent.id}`)).json()).toMatchObject({
      state: 'timed_out',
      error: { code: 'API_ERR_COMMAND_TIMED_OUT' },
    });
  });

  it('refuses a passkey on sync, an unknown op and a five-digit passkey with API_ERR_VALIDATION', async () => {
    const cuff = await deviceAt(CUFF);
    const url = `/v1/devices/${cuff.id}/commands`;
    expectProblem(await req(LI, 'POST', url, { op: 'sync', passkey: '123456' }), {
      status: 400,
      code: 'API_ERR_VALIDATION',
      detail: 'Invalid body.passkey: is for pair only',
      instance: url,
      field: 'body.passkey',
      issues: [{ field: 'body.passkey', problem: 'is for pair only' }],
    });
    for (const body of [{ op: 'format_disk' }, { op: 'pair', passkey: '12345' }]) {
      const res = await req(LI, 'POST', url, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'API_ERR_VALIDATION' });
    }
    const { rows } = await db.query(
      "SELECT count(*)::int AS n FROM gateway_commands WHERE op = 'format_disk'",
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('revokes a gateway: gone from the list, its nearby and presence rows forgotten, its refresh tokens revoked', async () => {
    const res = await req(LI, 'POST', '/v1/gateways/gw_li2/revoke');
    expect(res.statusCode).toBe(204);
    expect(
      (await req(LI, 'GET', `/v1/households/${liHome}/gateways`))
        .json<{ gateways: { id: string }[] }>()
        .gateways.map((g) => g.id),
    ).toEqual(['gw_li']);
    expect(
      (await db.query("SELECT count(*)::int AS n FROM nearby_devices WHERE gateway_id = 'gw_li2'")).rows,
    ).toEqual([{ n: 0 }]);
    expectProblem(await req(LI, 'POST', '/v1/gateways/gw_li2/revoke'), {
      status: 404,
      code: 'API_ERR_GATEWAY_NOT_FOUND',
      detail: 'No such gateway in your households.',
      instance: '/v1/gateways/gw_li2/revoke',
      gateway_id: 'gw_li2',
    });
  });

  it('factory-resets an offline gateway: revoked anyway, the result says the device was not reached', async () => {
    await db.query("UPDATE gateway_presence SET online = false WHERE gateway_id = 'gw_sam'");
    const res = await req(SAM, 'POST', '/v1/gateways/gw_sam/factory-reset');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      gateway_id: 'gw_sam',
      revoked: true,
      device_reset: 'not_reached',
      command: null,
    });
    expect(
      (await db.query("SELECT revoked_at IS NOT NULL AS revoked FROM gateways WHERE id = 'gw_sam'")).rows,
    ).toEqual([{ revoked: true }]);
    expect(
      (await db.query("SELECT count(*)::int AS n FROM gateway_presence WHERE gateway_id = 'gw_sam'")).rows,
    ).toEqual([{ n: 0 }]);
  });

  it('factory-resets an online gateway that never confirms: a reset command timed out, then revoked', async () => {
    const res = await req(LI, 'POST', '/v1/gateways/gw_li/factory-reset');
    expect(res.statusCode).toBe(200);
    // The clock is injected and does not move, so the reset command stays open until the real wait ends.
    expect(res.json()).toMatchObject({
      gateway_id: 'gw_li',
      revoked: true,
      device_reset: 'not_reached',
      command: { op: 'reset', gateway_id: 'gw_li', args: {} },
    });
    expect((await req(LI, 'GET', `/v1/households/${liHome}/gateways`)).json()).toEqual({ gateways: [] });
  });

  it('with no gateway left, a device command answers 409 API_ERR_NO_GATEWAY', async () => {
    const cuff = await deviceAt(CUFF);
    expectProblem(await req(LI, 'POST', `/v1/devices/${cuff.id}/commands`, { op: 'sync' }), {
      status: 409,
      code: 'API_ERR_NO_GATEWAY',
      detail: 'Your household has no gateway to send this through.',
      instance: `/v1/devices/${cuff.id}/commands`,
      household_id: liHome,
    });
  });
});
