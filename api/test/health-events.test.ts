import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, emptyInflux, expectProblem, startTestApi, type TestApi } from './helpers.js';

const ANN = 'acct_ev_ann';
const BEN = 'acct_ev_ben';
const CAT = 'acct_ev_cat';
const PATH = '/v1/health-events';
const CREATED = '2026-11-05T09:00:00.000Z';

/** What ingest writes (ingest/src/events/health-events.ts): a bp_urgent row with the pair in mm[Hg]. */
const urgent = (
  account: string,
  device: string,
  measuredAt: string,
  systolic: number,
  diastolic: number,
) => ({
  account,
  device,
  measuredAt,
  details: { systolic, diastolic, unit: 'mm[Hg]' },
});

describe('GET /v1/health-events', () => {
  let api: TestApi;
  const ids = new Map<string, string>();

  const send = (account: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    api.app.inject({
      method,
      url,
      headers: bearer(
        api.tokens.userToken(account, { scopes: ['trends.read', 'blood_pressure.read', 'account'] }),
      ),
      ...(payload ? { payload } : {}),
    });
  const view = (measuredAt: string, device: string, systolic: number, diastolic: number) => ({
    id: ids.get(measuredAt),
    kind: 'bp_urgent',
    device_id: device,
    measured_at: measuredAt,
    details: { systolic, diastolic, unit: 'mm[Hg]' },
    created_at: CREATED,
  });

  beforeAll(async () => {
    api = await startTestApi({ url: 'http://influx.invalid', database: 'linkwell' }, emptyInflux);
    for (const [id, name] of [
      [ANN, 'Ann'],
      [BEN, 'Ben'],
      [CAT, 'Cat'],
    ])
      await api.db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $2)', [id, name]);
    for (const e of [
      urgent(ANN, 'dev_cuff', '2026-11-01T07:30:00.000Z', 185, 95),
      urgent(ANN, 'dev_cuff', '2026-11-03T07:30:00.000Z', 150, 125),
      urgent(ANN, '', '2026-11-02T07:30:00.000Z', 192, 118),
      urgent(BEN, 'dev_ben', '2026-11-04T07:30:00.000Z', 181, 90),
    ]) {
      const { rows } = await api.db.query<{ id: string }>(
        `INSERT INTO health_events (account_id, kind, device_id, measured_at, details, created_at)
         VALUES ($1, 'bp_urgent', $2, $3::timestamptz, $4::jsonb, $5::timestamptz) RETURNING id::text AS id`,
        [e.account, e.device, e.measuredAt, JSON.stringify(e.details), CREATED],
      );
      ids.set(e.measuredAt, rows[0]!.id);
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it("lists the caller's own three events newest first, and two with limit=2", async () => {
    const res = await send(ANN, 'GET', PATH);
    expect(res.statusCode).toBe(200);
    const all = [
      view('2026-11-03T07:30:00.000Z', 'dev_cuff', 150, 125),
      view('2026-11-02T07:30:00.000Z', '', 192, 118),
      view('2026-11-01T07:30:00.000Z', 'dev_cuff', 185, 95),
    ];
    expect(res.json()).toEqual({ account: ANN, events: all });
    const two = await send(ANN, 'GET', `${PATH}?kind=bp_urgent&limit=2`);
    expect(two.json()).toEqual({ account: ANN, events: all.slice(0, 2) });
  });

  it('shows Ann’s events to Ben with ?account= once she shares with him, and 404 before', async () => {
    const notShared = {
      status: 404,
      code: 'API_ERR_TREND_ACCOUNT_NOT_FOUND',
      detail: 'No account with this id shares its data with you.',
      instance: PATH,
    };
    const made = await send(ANN, 'POST', '/v1/households', { name: 'Home' });
    expect(made.statusCode).toBe(201);
    const household = (made.json() as { id: string }).id;
    const invite = await send(ANN, 'POST', `/v1/households/${household}/invites`);
    expect(invite.statusCode).toBe(201);
    const joined = await send(BEN, 'POST', '/v1/household-invites/accept', { code: invite.json().code });
    expect(joined.statusCode).toBe(200);
    expectProblem(await send(BEN, 'GET', `${PATH}?account=${ANN}`), notShared);

    expect((await send(ANN, 'PUT', `/v1/households/${household}/shares/${BEN}`)).statusCode).toBe(200);
    const res = await send(BEN, 'GET', `${PATH}?account=${ANN}&limit=1`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      account: ANN,
      events: [view('2026-11-03T07:30:00.000Z', 'dev_cuff', 150, 125)],
    });
    // His own list is still his alone.
    expect((await send(BEN, 'GET', PATH)).json()).toEqual({
      account: BEN,
      events: [view('2026-11-04T07:30:00.000Z', 'dev_ben', 181, 90)],
    });
  });

  it('answers an account that does not share with the caller with 404 API_ERR_TREND_ACCOUNT_NOT_FOUND', async () => {
    expectProblem(await send(CAT, 'GET', `${PATH}?account=${ANN}`), {
      status: 404,
      code: 'API_ERR_TREND_ACCOUNT_NOT_FOUND',
      detail: 'No account with this id shares its data with you.',
      instance: PATH,
    });
    expect((await send(CAT, 'GET', PATH)).json()).toEqual({ account: CAT, events: [] });
  });

  it('refuses limit=501 and kind=bp_low with 400 API_ERR_VALIDATION', async () => {
    expect((await send(ANN, 'GET', `${PATH}?limit=501`)).json()).toMatchObject({
      status: 400,
      code: 'API_ERR_VALIDATION',
      field: 'querystring.limit',
    });
    expect((await send(ANN, 'GET', `${PATH}?kind=bp_low`)).json()).toMatchObject({
      status: 400,
      code: 'API_ERR_VALIDATION',
    });
  });
});
