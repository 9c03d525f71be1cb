import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem } from './helpers.js';
import { type Method, MIN, qs, startTrendsApi, type TrendBody, type TrendsApi } from './trends-kit.js';

const LI = 'acct_li';
const ALEX = 'acct_alex';
const KIM = 'acct_kim';
const OUT = 'acct_out';
const T = Date.parse('2026-11-20T07:00:00Z');
const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z', window: 'P1D' };

const PROGRAMME = {
  name: 'Clinic plan',
  version: '1',
  categories: [
    { code: 'ok', label: 'On target', systolic_at_least: 0, diastolic_at_least: 0 },
    { code: 'high', label: 'Above target', systolic_at_least: 135, diastolic_at_least: 85 },
  ],
};

const notFound = (instance: string) => ({
  status: 404,
  code: 'API_ERR_TREND_ACCOUNT_NOT_FOUND',
  detail: 'No account with this id shares its data with you.',
  instance,
});
const notYours = (instance: string) => ({
  status: 403,
  code: 'API_ERR_PROFILE_NOT_YOURS',
  detail: 'Only the person, or whoever manages a dependent, changes their health settings.',
  instance,
});

/**
 * Who may read and change whose trends: a household member who shares is readable with ?account=, one who
 * does not is indistinguishable from an id that does not exist, and sharing never grants changes.
 */
describe('access to another person’s trends', () => {
  let influxd: RunningInfluxd;
  let api: TrendsApi;
  let home: string;
  let mia: string;

  beforeAll(async () => {
    influxd = await startInfluxd();
    api = await startTrendsApi({
      influxUrl: influxd.url,
      database: 'lw_access',
      accounts: { [LI]: '李伟', [ALEX]: 'Alex', [KIM]: 'Kim', [OUT]: 'Out' },
    });
    home = await api.household(LI, [ALEX, KIM]);
    mia = await api.dependent(LI, home, 'Mia');
    await api.share(ALEX, home, KIM);
    const reading = (account: string, device: string, bpm: number) => ({
      measurement: 'heart_rate',
      account,
      device,
      t: T,
      values: { bpm },
    });
    await api.write([
      reading(ALEX, 'dev_alex_band', 61),
      reading(KIM, 'dev_kim_band', 72),
      reading(mia, 'dev_mia_band', 95),
      {
        measurement: 'blood_pressure',
        account: ALEX,
        device: 'dev_alex_cuff',
        t: T + 5 * MIN,
        values: { systolic: 121, diastolic: 79, pulse: 60 },
      },
    ]);
  });
  afterAll(async () => {
    await api?.close();
    await influxd?.stop();
  });

  const trendUrl = (account?: string) => `/v1/trends/heart_rate?${qs({ ...RANGE, account })}`;

  it("shows Alex's trend to Kim, with whom Alex shares, through ?account=", async () => {
    const res = await api.get(KIM, trendUrl(ALEX));
    expect(res.statusCode).toBe(200);
    const body = res.json() as TrendBody;
    expect(body.account).toBe(ALEX);
    expect(body.source_priority).toEqual(['dev_alex_band', 'dev_alex_cuff']);
    expect(body.windows[0]).toMatchObject({
      winning_source: 'dev_alex_band',
      suppressed_sources: ['dev_alex_cuff'],
    });
    expect(body.windows[0]!.values.bpm).toMatchObject({ count: 1, mean: 61 });
    // The same for the other read routes.
    expect((await api.get(KIM, `/v1/health-profile?account=${ALEX}`)).json().account).toBe(ALEX);
    expect((await api.get(KIM, `/v1/trends/heart_rate/sources?account=${ALEX}`)).json().priority).toEqual([
      'dev_alex_band',
      // The cuff's pulse also feeds heart rate.
      'dev_alex_cuff',
    ]);
    const bp = await api.get(KIM, `/v1/classifications/blood_pressure?${qs({ ...RANGE, account: ALEX })}`);
    expect(bp.json()).toMatchObject({ account: ALEX, inputs: { readings_used: 1 } });
  });

  it('answers Alex asking for Kim (no share) exactly as for an id that does not exist: 404 API_ERR_TREND_ACCOUNT_NOT_FOUND', async () => {
    const unshared = await api.get(ALEX, trendUrl(KIM));
    const missing = await api.get(ALEX, trendUrl('acct_nobody'));
    expectProblem(unshared, notFound('/v1/trends/heart_rate'));
    expect(missing.json()).toEqual(unshared.json());
    expectProblem(await api.get(OUT, trendUrl(ALEX)), notFound('/v1/trends/heart_rate'));
    // Li owns the household but Kim shares nothing with her; Kim's own data stays Kim's.
    expectProblem(await api.get(LI, trendUrl(KIM)), notFound('/v1/trends/heart_rate'));
    expect(((await api.get(KIM, trendUrl())).json() as TrendBody).windows[0]!.values.bpm!.mean).toBe(72);
  });

  it("refuses Kim, who may only read Alex's data, every change to it with 403 API_ERR_PROFILE_NOT_YOURS", async () => {
    for (const [url, body] of [
      [`/v1/health-profile?account=${ALEX}`, { time_zone: 'Asia/Shanghai' }],
      [`/v1/trends/heart_rate/sources?account=${ALEX}`, { priority: ['dev_alex_band'] }],
      [`/v1/health-profile/bp-programme?account=${ALEX}`, PROGRAMME],
    ] as const) {
      expectProblem(await api.send(KIM, 'PUT', url, body), notYours(url.split('?')[0]!));
      // An outsider cannot even learn Alex exists.
      expectProblem(await api.send(OUT, 'PUT', url, body), notFound(url.split('?')[0]!));
    }
    expect((await api.get(ALEX, '/v1/health-profile')).json()).toMatchObject({
      time_zone: 'UTC',
      updated_at: null,
    });
    expect((await api.get(ALEX, '/v1/health-profile/bp-programme')).json()).toEqual({
      account: ALEX,
      programme: null,
    });
  });

  it('lets Li, who manages the dependent Mia, change her profile, source priority and programme', async () => {
    const profile = await api.send(LI, 'PUT', `/v1/health-profile?account=${mia}`, {
      time_zone: 'Asia/Shanghai',
      birth_date: '2018-05-01',
    });
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({
      account: mia,
      time_zone: 'Asia/Shanghai',
      birth_date: '2018-05-01',
    });
    const sources = await api.send(LI, 'PUT', `/v1/trends/heart_rate/sources?account=${mia}`, {
      priority: ['dev_mia_band'],
    });
    expect(sources.json()).toMatchObject({ account: mia, chosen: ['dev_mia_band'] });
    const programme = await api.send(LI, 'PUT', `/v1/health-profile/bp-programme?account=${mia}`, PROGRAMME);
    expect(programme.json()).toEqual({ account: mia, programme: PROGRAMME });
    // Li reads Mia's trend in Mia's zone.
    const body = (
      await api.get(LI, `/v1/trends/heart_rate?${qs({ ...RANGE, window: 'daily', account: mia })}`)
    ).json();
    expect(body).toMatchObject({ account: mia, time_zone_source: 'profile' });
    expect(body.windows[0].time_zone).toBe('Asia/Shanghai');
    // Alex, an adult who does not manage Mia, cannot read her at all.
    expectProblem(await api.get(ALEX, trendUrl(mia)), notFound('/v1/trends/heart_rate'));
  });

  it('stops showing Alex’s trend to Kim once Alex withdraws the share', async () => {
    const other = await api.household(OUT, [ALEX]);
    await api.share(ALEX, other, OUT);
    expect((await api.get(OUT, trendUrl(ALEX))).statusCode).toBe(200);
    expect((await api.send(ALEX, 'DELETE', `/v1/households/${other}/shares/${OUT}`)).statusCode).toBe(204);
    expectProblem(await api.get(OUT, trendUrl(ALEX)), notFound('/v1/trends/heart_rate'));
    // The share in the first household still stands.
    expect((await api.get(KIM, trendUrl(ALEX))).statusCode).toBe(200);
  });

  it('needs trends.read to read and the account scope to change', async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: '/v1/health-profile',
      headers: bearer(api.token(ALEX, ['trends.read'])),
      payload: { time_zone: 'Europe/Berlin' },
    });
    expect(res.json()).toMatchObject({
      status: 403,
      code: 'API_ERR_INSUFFICIENT_SCOPE',
      required: 'account',
    });
    const noRead = await api.app.inject({ url: trendUrl(), headers: bearer(api.token(ALEX, ['account'])) });
    expect(noRead.json()).toMatchObject({
      status: 403,
      code: 'API_ERR_INSUFFICIENT_SCOPE',
      required: 'trends.read',
    });
  });

  /**
   * The IDOR rule for the routes that name a person by ?account= instead of a path id (the household sweep in
   * idor-sweep.test.ts covers path ids): every such route in the OpenAPI document answers an outsider who
   * names Alex with 404, and Kim, who may read Alex, without one.
   */
  it('answers 404 on every ?account= route for an outsider naming Alex, and no 404 for Kim', async () => {
    const doc = (await api.app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.parameters?.some((p) => p.in === 'query' && p.name === 'account'))
        .map(([m]) => ({ method: m.toUpperCase() as Method, path })),
    );
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /v1/classifications/blood_pressure',
      'GET /v1/classifications/bmi',
      'GET /v1/health-events',
      'GET /v1/health-profile',
      'GET /v1/health-profile/bp-programme',
      'GET /v1/trends/bmi',
      'GET /v1/trends/body_weight/smoothed',
      'GET /v1/trends/heart_rate/resting',
      'GET /v1/trends/heart_rate/zones',
      'GET /v1/trends/{metric}',
      'GET /v1/trends/{metric}/sources',
      'PUT /v1/health-profile',
      'PUT /v1/health-profile/bp-programme',
      'PUT /v1/trends/{metric}/sources',
    ]);
    const bodies: Record<string, unknown> = {
      'PUT /v1/health-profile': { time_zone: 'Europe/Berlin' },
      'PUT /v1/health-profile/bp-programme': PROGRAMME,
      'PUT /v1/trends/{metric}/sources': { priority: [] },
    };
    const leaks: string[] = [];
    const seen: string[] = [];
    for (const { method, path } of routes) {
      const url = `${path.replace('{metric}', 'heart_rate')}?account=${ALEX}`;
      const key = `${method} ${path}`;
      const outsider = await api.send(OUT, method, url, bodies[key]);
      if (outsider.statusCode !== 404 || outsider.json().code !== 'API_ERR_TREND_ACCOUNT_NOT_FOUND')
        leaks.push(`${key}: ${outsider.statusCode} ${outsider.body.slice(0, 100)}`);
      if (method === 'GET') {
        const kim = await api.send(KIM, method, url);
        // 409 is a real answer about Alex (no birth date, no height): not a 404.
        if (kim.statusCode === 404) seen.push(`${key}: ${kim.body.slice(0, 100)}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(seen).toEqual([]);
  });
});
