import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './helpers.js';
import { type Household, type HouseholdsApi, startHouseholdsApi } from './households-kit.js';

const DB = 'linkwell_readings_test';
const LI = 'acct_li';
const ALEX = 'acct_alex';
const SAM = 'acct_sam';
const KIM = 'acct_kim';
const KID = 'acct_kidphone';
const T = Date.parse('2026-11-20T07:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const id = (metric: string, account: string, device: string, t: number) =>
  Buffer.from(JSON.stringify([metric, account, device, t])).toString('base64url');

interface Reading {
  id: string;
  metric: string;
  measured_at: string;
  values: Record<string, number>;
  device_id: string | null;
  attribution: { method: string; confidence: number | null; rule: string | null } | null;
}

describe('member readings and reassignment against influxd', () => {
  let influxd: RunningInfluxd;
  let api: HouseholdsApi;
  let home: Household;
  let other: Household;
  let mia = '';
  const notified: string[] = [];

  const write = async (lines: string[]) => {
    const res = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect(res.status).toBe(204);
  };
  const readings = (as: string, hh: string, member: string, query = '') =>
    api.req(as, 'GET', `/v1/households/${hh}/members/${member}/readings${query ? `?${query}` : ''}`);
  const reassign = (as: string, readingId: string, to: string) =>
    api.req(as, 'POST', `/v1/readings/${readingId}/reassign`, { to_account_id: to });

  beforeAll(async () => {
    influxd = await startInfluxd({ database: DB });
    api = await startHouseholdsApi({
      accounts: { [LI]: '李伟', [ALEX]: 'Alex Morgan', [SAM]: 'Sam Lee', [KIM]: 'Kim', [KID]: 'Mia (phone)' },
      influx: { url: influxd.url, database: DB },
    });
    api.clock.now = T + 60 * MIN;
    home = await api.household(LI, [ALEX, KIM], '李家');
    other = await api.household(SAM, [], 'Sam home');
    mia = await api.dependent(ALEX, home.id, 'Mia');
    await api.db.listen('linkwell_moves', (p) => notified.push(p));
    await write([
      // Stored after attribution was recorded (ingest writes attr_* beside the values).
      `body_weight,account=${LI},device=dev_scale weight=71.5,bmi=23.1,attr_method="uds-user-index",attr_confidence=1,attr_rule="slot-map",slot=1i ${T}`,
      `body_weight,account=${LI},device=dev_scale weight=71.2,attr_method="weight-proximity",attr_confidence=0.82 ${T + 10 * MIN}`,
      `heart_rate,account=${LI},device=dev_band bpm=64 ${T + 5 * MIN}`,
      // Before attribution was recorded: no attr_* fields.
      `body_weight,account=${ALEX},device=dev_scale weight=80.4 ${T + 2 * MIN}`,
      `blood_pressure,account=${mia},device=dev_cuff systolic=110,diastolic=70,pulse=80,quality="irregular_pulse" ${T + 3 * MIN}`,
      `body_weight,account=${SAM},device=dev_sam weight=90 ${T + 4 * MIN}`,
      `body_weight,account=${KID},device=dev_kidscale weight=42 ${T + 6 * MIN}`,
    ]);
  });
  afterAll(async () => {
    await api?.close();
    await influxd?.stop();
  });

  it("reads a member's own readings newest first, with their attribution (null before it was recorded)", async () => {
    const res = await readings(LI, home.id, LI);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      readings: [
        {
          id: id('body_weight', LI, 'dev_scale', T + 10 * MIN),
          metric: 'body_weight',
          measured_at: iso(T + 10 * MIN),
          values: { weight: 71.2 },
          device_id: 'dev_scale',
          attribution: { method: 'weight-proximity', confidence: 0.82, rule: null },
        },
        {
          id: id('heart_rate', LI, 'dev_band', T + 5 * MIN),
          metric: 'heart_rate',
          measured_at: iso(T + 5 * MIN),
          values: { bpm: 64 },
          device_id: 'dev_band',
          attribution: null,
        },
        {
          id: id('body_weight', LI, 'dev_scale', T),
          metric: 'body_weight',
          measured_at: iso(T),
          values: { weight: 71.5, bmi: 23.1 },
          device_id: 'dev_scale',
          attribution: { method: 'uds-user-index', confidence: 1, rule: 'slot-map' },
        },
      ],
    });
    const weights = (await readings(LI, home.id, LI, 'metric=body_weight&limit=1')).json()
      .readings as Reading[];
    expect(weights.map((r) => r.measured_at)).toEqual([iso(T + 10 * MIN)]);
    const window = `from=${iso(T)}&to=${iso(T + 10 * MIN)}`;
    const ranged = (await readings(LI, home.id, LI, window)).json().readings as Reading[];
    expect(ranged.map((r) => r.metric)).toEqual(['heart_rate', 'body_weight']);
    // Metric names are identifiers: an injection attempt is refused by the schema, not sent to InfluxDB.
    for (const q of [
      'metric=weight"%20OR%201=1',
      'limit=0',
      'limit=1001',
      'from=yesterday',
      'metric=Weight',
    ]) {
      const bad = await readings(LI, home.id, LI, q);
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json().code, q).toBe('API_ERR_VALIDATION');
    }
    expectProblem(await readings(LI, home.id, LI, `from=${iso(T)}&to=${iso(T)}`), {
      status: 400,
      code: 'API_ERR_READINGS_BAD_RANGE',
      detail: '`from` must be before `to` (and not before 1970).',
      instance: `/v1/households/${home.id}/members/${LI}/readings`,
    });
  });

  it('keeps each member private until they share; owners and the managing adult see dependents', async () => {
    const hidden = {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
      detail: 'No member with this account id is in this household.',
    };
    const alexUrl = `/v1/households/${home.id}/members/${ALEX}/readings`;
    expectProblem(await readings(LI, home.id, ALEX), { ...hidden, instance: alexUrl });
    // Exactly as for someone who is not a member at all.
    expectProblem(await readings(LI, home.id, SAM), {
      ...hidden,
      instance: `/v1/households/${home.id}/members/${SAM}/readings`,
    });
    const shared = await api.req(ALEX, 'PUT', `/v1/households/${home.id}/shares/${LI}`);
    expect(shared.statusCode).toBe(200);
    expect(shared.json()).toEqual({
      household_id: home.id,
      account_id: ALEX,
      viewer_account_id: LI,
      created_at: iso(api.clock.now),
    });
    const seen = (await readings(LI, home.id, ALEX)).json().readings as Reading[];
    expect(seen).toEqual([
      {
        id: id('body_weight', ALEX, 'dev_scale', T + 2 * MIN),
        metric: 'body_weight',
        measured_at: iso(T + 2 * MIN),
        values: { weight: 80.4 },
        device_id: 'dev_scale',
        attribution: null,
      },
    ]);
    // Sharing is one way, and only with that member.
    expect((await readings(ALEX, home.id, LI)).statusCode).toBe(404);
    expect((await readings(KIM, home.id, ALEX)).statusCode).toBe(404);
    expect((await api.req(LI, 'GET', `/v1/households/${home.id}/shares`)).json()).toEqual({
      shares: [
        { household_id: home.id, account_id: ALEX, viewer_account_id: LI, created_at: iso(api.clock.now) },
      ],
    });
    expect((await api.req(KIM, 'GET', `/v1/households/${home.id}/shares`)).json()).toEqual({ shares: [] });

    // The dependent: the owner and the managing adult see her readings, another adult does not.
    const miaReadings = [
      {
        id: id('blood_pressure', mia, 'dev_cuff', T + 3 * MIN),
        metric: 'blood_pressure',
        measured_at: iso(T + 3 * MIN),
        values: { systolic: 110, diastolic: 70, pulse: 80 },
        device_id: 'dev_cuff',
        attribution: null,
      },
    ];
    expect((await readings(LI, home.id, mia)).json().readings).toEqual(miaReadings);
    expect((await readings(ALEX, home.id, mia)).json().readings).toEqual(miaReadings);
    expect((await readings(KIM, home.id, mia)).statusCode).toBe(404);

    // Stopping the share hides Alex again; sharing with yourself or a stranger is refused, coded.
    expect((await api.req(ALEX, 'DELETE', `/v1/households/${home.id}/shares/${LI}`)).statusCode).toBe(204);
    expect((await api.req(ALEX, 'DELETE', `/v1/households/${home.id}/shares/${LI}`)).statusCode).toBe(204);
    expect((await readings(LI, home.id, ALEX)).statusCode).toBe(404);
    expectProblem(await api.req(ALEX, 'PUT', `/v1/households/${home.id}/shares/${ALEX}`), {
      status: 409,
      code: 'API_ERR_SHARE_WITH_SELF',
      detail: 'Your own data is always visible to you.',
      instance: `/v1/households/${home.id}/shares/${ALEX}`,
    });
    expectProblem(await api.req(ALEX, 'PUT', `/v1/households/${home.id}/shares/${SAM}`), {
      ...hidden,
      instance: `/v1/households/${home.id}/shares/${SAM}`,
    });
  });

  it("answers 404 for another household's ids and for forged reading ids (IDOR)", async () => {
    for (const [hh, member] of [
      [home.id, LI],
      [home.id, SAM],
      ['hh_doesnotexist', SAM],
    ] as const)
      expectProblem(await readings(SAM, hh, member), {
        status: 404,
        code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
        detail: 'No household with this id has you as a member.',
        instance: `/v1/households/${hh}/members/${member}/readings`,
      });
    // Li's member id through Sam's own household.
    expect((await readings(SAM, other.id, LI)).json().code).toBe('API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND');
    const forged = [
      id('body_weight', LI, 'dev_scale', T), // a real reading of someone else's household
      id('body_weight', ALEX, 'dev_scale', T + 2 * MIN), // a real reading, not shared with Li
      id('body_weight', LI, 'dev_scale', T + 1), // no such point
      'bm90LWFuLWlk', // base64url of "not-an-id"
      `${id('body_weight', LI, 'dev_scale', T)}A`,
    ];
    for (const [as, readingId] of [
      [SAM, forged[0]!],
      [LI, forged[1]!],
      [LI, forged[2]!],
      [LI, forged[3]!],
      [LI, forged[4]!],
    ] as const)
      expectProblem(await reassign(as, readingId, as === SAM ? SAM : ALEX), {
        status: 404,
        code: 'API_ERR_READING_NOT_FOUND',
        detail: 'No reading with this id that you can see.',
        instance: `/v1/readings/${readingId}/reassign`,
      });
    expect((await reassign(LI, 'not base64!', ALEX)).json().code).toBe('API_ERR_VALIDATION');
    expect((await api.db.query('SELECT id FROM reading_moves')).rows).toEqual([]);
  });

  it('refuses a move by a member who only sees the reading through a share (403), and moves nothing', async () => {
    const share = await api.req(LI, 'PUT', `/v1/households/${home.id}/shares/${KIM}`);
    expect(share.statusCode).toBe(200);
    const readingId = id('heart_rate', LI, 'dev_band', T + 5 * MIN);
    const seen = (await readings(KIM, home.id, LI)).json().readings as Reading[];
    expect(seen.map((r) => r.id)).toContain(readingId);
    for (const to of [KIM, ALEX])
      expectProblem(await reassign(KIM, readingId, to), {
        status: 403,
        code: 'API_ERR_READING_MOVE_NOT_ALLOWED',
        detail: 'Only the member this reading belongs to (or who manages them) can move it.',
        instance: `/v1/readings/${readingId}/reassign`,
      });
    expect((await api.db.query('SELECT id FROM reading_moves')).rows).toEqual([]);
    expect((await api.req(LI, 'DELETE', `/v1/households/${home.id}/shares/${KIM}`)).statusCode).toBe(204);
  });

  it('reassigns a reading: 202 with a pending move, audit for all concerned, NOTIFY; 200 no-op; 409 while open', async () => {
    const readingId = id('body_weight', LI, 'dev_scale', T + 10 * MIN);
    // Already Li's: nothing to do.
    const noop = await reassign(LI, readingId, LI);
    expect(noop.statusCode).toBe(200);
    expect(noop.json()).toEqual({ move: null });
    // Only to a member of the household.
    expectProblem(await reassign(LI, readingId, SAM), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
      detail: 'No member with this account id is in this household.',
      instance: `/v1/readings/${readingId}/reassign`,
    });
    notified.length = 0;
    const res = await reassign(LI, readingId, ALEX);
    expect(res.statusCode).toBe(202);
    const move = res.json().move;
    expect(move).toEqual({
      id: expect.stringMatching(/^mv_/),
      household_id: home.id,
      kind: 'reassign',
      state: 'pending',
      inbox_item_id: null,
      metric: 'body_weight',
      device_id: 'dev_scale',
      measured_at: iso(T + 10 * MIN),
      from_account_id: LI,
      to_account_id: ALEX,
      requested_by: LI,
      created_at: iso(api.clock.now),
      done_at: null,
      error_code: null,
    });
    await expect.poll(() => notified).toEqual([home.id]);
    const audit = await api.db.query<{ account_id: string; details: Record<string, unknown> }>(
      "SELECT account_id, details FROM audit_log WHERE action = 'reading_reassign' ORDER BY account_id",
    );
    expect(audit.rows.map((r) => r.account_id)).toEqual([ALEX, LI].sort());
    expect(audit.rows[0]!.details).toEqual({
      move_id: move.id,
      household_id: home.id,
      metric: 'body_weight',
      measured_at: iso(T + 10 * MIN),
      device_id: 'dev_scale',
      from_account_id: LI,
      to_account_id: ALEX,
      by: LI,
    });
    expect(JSON.stringify(audit.rows)).not.toContain('71.2');
    // A second move of the same reading while the first is open.
    expectProblem(await reassign(LI, readingId, KIM), {
      status: 409,
      code: 'API_ERR_READING_MOVE_IN_PROGRESS',
      detail: 'This reading is already being moved; wait for that move to finish.',
      instance: `/v1/readings/${readingId}/reassign`,
    });

    // Its status, for those it concerns.
    const status = await api.req(LI, 'GET', `/v1/households/${home.id}/moves/${move.id}`);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({ move });
    expect((await api.req(ALEX, 'GET', `/v1/households/${home.id}/moves/${move.id}`)).json()).toEqual({
      move,
    });
    expectProblem(await api.req(KIM, 'GET', `/v1/households/${home.id}/moves/${move.id}`), {
      status: 404,
      code: 'API_ERR_MOVE_NOT_FOUND',
      detail: 'No move with this id in this household that you can see.',
      instance: `/v1/households/${home.id}/moves/${move.id}`,
    });
    for (const hh of [home.id, 'hh_doesnotexist'])
      expect((await api.req(SAM, 'GET', `/v1/households/${hh}/moves/${move.id}`)).json().code).toBe(
        'API_ERR_HOUSEHOLD_NOT_FOUND',
      );
    expect((await api.req(SAM, 'GET', `/v1/households/${other.id}/moves/${move.id}`)).json().code).toBe(
      'API_ERR_MOVE_NOT_FOUND',
    );
  });

  it('accepts exactly one of concurrent reassignments of one reading', async () => {
    const readingId = id('body_weight', LI, 'dev_scale', T);
    const results = await Promise.all([ALEX, KIM, mia, ALEX].map((to) => reassign(LI, readingId, to)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([202, 409, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409))
      expect(r.json().code).toBe('API_ERR_READING_MOVE_IN_PROGRESS');
    const open = await api.db.query(
      "SELECT id FROM reading_moves WHERE measured_at = $1 AND state = 'pending'",
      [T],
    );
    expect(open.rows).toHaveLength(1);
  });

  it("keeps a dependent's readings, and brings the person's own, through a handover", async () => {
    const ho = await api.req(ALEX, 'POST', `/v1/households/${home.id}/members/${mia}/handover`);
    expect(ho.statusCode).toBe(201);
    expect((await api.req(KID, 'POST', '/v1/handovers/accept', { code: ho.json().code })).statusCode).toBe(
      200,
    );
    // Mia now signs in to her old dependent account; her phone account's reading comes along under its tag.
    const own = (await readings(mia, home.id, mia)).json().readings as Reading[];
    expect(own.map((r) => [r.metric, r.measured_at, r.values])).toEqual([
      ['body_weight', iso(T + 6 * MIN), { weight: 42 }],
      ['blood_pressure', iso(T + 3 * MIN), { systolic: 110, diastolic: 70, pulse: 80 }],
    ]);
    // She is an adult now: private by default, even to the adult who managed her.
    expect((await readings(ALEX, home.id, mia)).statusCode).toBe(404);
  });
});
