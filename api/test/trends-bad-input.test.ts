import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINDOW_PATTERN } from '../src/modules/trends/schemas.js';
import { expectProblem } from './helpers.js';
import { MIN, qs, startTrendsApi, type TrendBody, type TrendsApi } from './trends-kit.js';

const A = 'acct_a';
// Quotes of both kinds and backslashes: what an InfluxQL string literal must escape (docs/trends.md).
const QUIRKY = `o'brien"\\x\\'y`;
const QUIRKY_DEVICE = `dev"q'\\1`;
const T0 = Date.parse('2026-05-01T00:00:00Z');
const RANGE = { from: '2026-05-01T00:00:00Z', to: '2026-05-01T03:00:00Z', window: 'PT1H' };
const METRICS = [
  'heart_rate',
  'blood_pressure',
  'body_weight',
  'body_composition',
  'spo2',
  'pulse_rate',
  'body_temperature',
];

/** Payloads that would change an InfluxQL statement if they reached it unescaped. */
const PAYLOADS = [
  `x' OR '1'='1`,
  `"; DROP DATABASE "lw_bad_input"; --`,
  `acct_a\\' OR account =~ /.*/ --`,
  'acct_a\nDROP MEASUREMENT heart_rate',
];

describe('trends refuse bad input with coded errors and never pass it to InfluxDB raw', () => {
  let influxd: RunningInfluxd;
  let api: TrendsApi;

  beforeAll(async () => {
    influxd = await startInfluxd();
    api = await startTrendsApi({
      influxUrl: influxd.url,
      database: 'lw_bad_input',
      accounts: { [A]: 'A', [QUIRKY]: 'Quirky' },
    });
    await api.write([
      { measurement: 'heart_rate', account: A, device: 'dev_band', t: T0 + MIN, values: { bpm: 70 } },
      {
        measurement: 'heart_rate',
        account: QUIRKY,
        device: QUIRKY_DEVICE,
        t: T0 + 5 * MIN,
        values: { bpm: 66 },
      },
      {
        measurement: 'blood_pressure',
        account: QUIRKY,
        device: QUIRKY_DEVICE,
        t: T0 + 10 * MIN,
        values: { systolic: 121, diastolic: 79, pulse: 64 },
      },
    ]);
  });
  afterAll(async () => {
    await api?.close();
    await influxd?.stop();
  });

  const trend = (as: string, metric: string, params: Record<string, string | undefined>) =>
    api.get(as, `/v1/trends/${encodeURIComponent(metric)}?${qs(params)}`);

  it('answers an unknown metric with 404 API_ERR_UNKNOWN_METRIC listing the metrics that exist', async () => {
    for (const [url, query] of [
      ['/v1/trends/heart_rates', `?${qs(RANGE)}`],
      ['/v1/trends/heart_rates/sources', ''],
    ] as const)
      expectProblem(await api.get(A, `${url}${query}`), {
        status: 404,
        code: 'API_ERR_UNKNOWN_METRIC',
        detail: 'There is no trend metric called "heart_rates".',
        instance: url,
        metric: 'heart_rates',
        metrics: METRICS,
      });
    // Object.prototype names are not metrics either.
    expect((await trend(A, 'constructor', RANGE)).json().code).toBe('API_ERR_UNKNOWN_METRIC');
    expect((await trend(A, '__proto__', RANGE)).json().code).toBe('API_ERR_UNKNOWN_METRIC');
  });

  it('refuses an inverted range and one over 400 days with 400 API_ERR_BAD_TIME_RANGE; 400 days exactly pass', async () => {
    expectProblem(await trend(A, 'heart_rate', { ...RANGE, from: RANGE.to, to: RANGE.from }), {
      status: 400,
      code: 'API_ERR_BAD_TIME_RANGE',
      detail: 'from (2026-05-01T03:00:00Z) must be before to (2026-05-01T00:00:00Z).',
      instance: '/v1/trends/heart_rate',
      from: RANGE.to,
      to: RANGE.from,
    });
    const over = { from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:00:01Z', window: 'P1D' };
    expectProblem(await trend(A, 'heart_rate', over), {
      status: 400,
      code: 'API_ERR_BAD_TIME_RANGE',
      detail: 'The range from 2025-01-01T00:00:00Z to 2026-02-05T00:00:01Z is longer than 400 days.',
      instance: '/v1/trends/heart_rate',
      from: over.from,
      to: over.to,
      maxRangeDays: 400,
    });
    const exact = await trend(A, 'heart_rate', { ...over, to: '2026-02-05T00:00:00Z' });
    expect(exact.statusCode).toBe(200);
    expect(exact.json().windows).toHaveLength(400);
  });

  it('refuses PT1S over 7 days with API_ERR_WINDOW_TOO_FINE naming min_window PT1M1S, which then passes', async () => {
    const week = { from: '2026-05-01T00:00:00Z', to: '2026-05-08T00:00:00Z' };
    expectProblem(await trend(A, 'heart_rate', { ...week, window: 'PT1S' }), {
      status: 400,
      code: 'API_ERR_WINDOW_TOO_FINE',
      detail:
        'A PT1S window over this range gives 604800 windows; at most 10000 are allowed. Use a window of at least PT1M1S or a shorter range.',
      instance: '/v1/trends/heart_rate',
      window: 'PT1S',
      windows: 604_800,
      max_windows: 10_000,
      min_window: 'PT1M1S',
    });
    // 7 days in minutes is 10 080 windows: one minute is still too fine, the advised 61 s is not.
    expect((await trend(A, 'heart_rate', { ...week, window: 'PT1M' })).json().min_window).toBe('PT1M1S');
    const ok = await trend(A, 'heart_rate', { ...week, window: 'PT1M1S' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().windows.length).toBeLessThanOrEqual(10_000);
    // Daily windows over a year are 365, never too fine.
    expect(
      (
        await trend(A, 'heart_rate', {
          from: '2025-05-01T00:00:00Z',
          to: '2026-05-01T00:00:00Z',
          window: 'daily',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('refuses months and years (P1M, P1Y), which have no fixed length, with 400 API_ERR_VALIDATION', async () => {
    for (const window of ['P1M', 'P1Y', 'P1Y2M', 'PT1.5S'])
      expectProblem(await trend(A, 'heart_rate', { ...RANGE, window }), {
        status: 400,
        code: 'API_ERR_VALIDATION',
        detail: `Invalid querystring.window: must match pattern "${WINDOW_PATTERN}"`,
        instance: '/v1/trends/heart_rate',
        field: 'querystring.window',
        issues: [{ field: 'querystring.window', problem: `must match pattern "${WINDOW_PATTERN}"` }],
      });
  });

  it('refuses a time zone the IANA database does not know with 400 API_ERR_BAD_TIME_ZONE', async () => {
    for (const time_zone of ['Mars/Olympus_Mons', 'europe/berlin ', 'UTC+8', 'Asia/Shanghai/'])
      expectProblem(await trend(A, 'heart_rate', { ...RANGE, window: 'daily', time_zone }), {
        status: 400,
        code: 'API_ERR_BAD_TIME_ZONE',
        detail: `${JSON.stringify(time_zone)} is not an IANA time zone.`,
        instance: '/v1/trends/heart_rate',
        time_zone,
      });
    // The same check guards the profile.
    const put = await api.send(A, 'PUT', '/v1/health-profile', { time_zone: 'Mars/Olympus_Mons' });
    expect(put.json()).toMatchObject({ status: 400, code: 'API_ERR_BAD_TIME_ZONE' });
  });

  /** [what, request, expected status, expected code]: one per parameter, for every payload. */
  function attempts(p: string) {
    const tr = (params: Record<string, string>) => `/v1/trends/heart_rate?${qs({ ...RANGE, ...params })}`;
    return [
      [
        'metric path parameter',
        `/v1/trends/${encodeURIComponent(p)}?${qs(RANGE)}`,
        404,
        'API_ERR_UNKNOWN_METRIC',
      ],
      ['from', tr({ from: p }), 400, 'API_ERR_VALIDATION'],
      ['to', tr({ to: p }), 400, 'API_ERR_VALIDATION'],
      ['window', tr({ window: p }), 400, 'API_ERR_VALIDATION'],
      ['time_zone', tr({ window: 'daily', time_zone: p }), 400, 'API_ERR_BAD_TIME_ZONE'],
      ['account', tr({ account: p }), 404, 'API_ERR_TREND_ACCOUNT_NOT_FOUND'],
      ['units', tr({ units: p }), 400, 'API_ERR_VALIDATION'],
      ['merged', tr({ merged: p }), 400, 'API_ERR_VALIDATION'],
      ['by_source', tr({ by_source: p }), 400, 'API_ERR_VALIDATION'],
      ['resolution', tr({ resolution: p }), 400, 'API_ERR_VALIDATION'],
      [
        'sources account',
        `/v1/trends/heart_rate/sources?${qs({ account: p })}`,
        404,
        'API_ERR_TREND_ACCOUNT_NOT_FOUND',
      ],
      ['bp scheme', `/v1/classifications/blood_pressure?${qs({ scheme: p })}`, 400, 'API_ERR_VALIDATION'],
      ['bp setting', `/v1/classifications/blood_pressure?${qs({ setting: p })}`, 400, 'API_ERR_VALIDATION'],
      [
        'bp account',
        `/v1/classifications/blood_pressure?${qs({ account: p })}`,
        404,
        'API_ERR_TREND_ACCOUNT_NOT_FOUND',
      ],
      ['bmi scheme', `/v1/classifications/bmi?${qs({ scheme: p })}`, 400, 'API_ERR_VALIDATION'],
      ['smoother', `/v1/trends/body_weight/smoothed?${qs({ smoother: p })}`, 400, 'API_ERR_VALIDATION'],
      ['resting method', `/v1/trends/heart_rate/resting?${qs({ method: p })}`, 400, 'API_ERR_VALIDATION'],
      ['zones model', `/v1/trends/heart_rate/zones?${qs({ model: p })}`, 400, 'API_ERR_VALIDATION'],
      ['zones hrmax', `/v1/trends/heart_rate/zones?${qs({ hrmax: p })}`, 400, 'API_ERR_VALIDATION'],
      ['profile account', `/v1/health-profile?${qs({ account: p })}`, 404, 'API_ERR_TREND_ACCOUNT_NOT_FOUND'],
    ] as const;
  }

  it('answers an injection attempt in every parameter with a coded 4xx before any InfluxDB query', async () => {
    const reached: string[] = [];
    for (const p of PAYLOADS)
      for (const [what, url, status, code] of attempts(p)) {
        const before = api.queries.length;
        const res = await api.get(A, url);
        expect({ what, p, status: res.statusCode, code: res.json().code }).toEqual({ what, p, status, code });
        if (api.queries.length !== before) reached.push(`${what}: ${api.queries.slice(before).join(' | ')}`);
      }
    expect(reached).toEqual([]);
  });

  it('refuses injected text in PUT bodies: a profile zone (400) and a source priority (422, escaped when it queries)', async () => {
    for (const p of PAYLOADS) {
      const before = api.queries.length;
      const zone = await api.send(A, 'PUT', '/v1/health-profile', { time_zone: p });
      expect(zone.json()).toMatchObject({ status: 400, code: 'API_ERR_BAD_TIME_ZONE', time_zone: p });
      const prio = await api.send(A, 'PUT', '/v1/trends/heart_rate/sources', { priority: [p] });
      expect(prio.json()).toMatchObject({
        status: 422,
        code: 'API_ERR_SOURCE_PRIORITY_INVALID',
        sources: ['dev_band'],
      });
      // The priority check lists A's devices; the payload itself is never part of a statement.
      expect(api.queries.slice(before).filter((q) => q.includes(p))).toEqual([]);
    }
  });

  it('reads back the readings of an account and device whose ids hold quotes and backslashes', async () => {
    const res = await trend(QUIRKY, 'heart_rate', RANGE);
    expect(res.statusCode).toBe(200);
    const body = res.json() as TrendBody;
    expect(body.account).toBe(QUIRKY);
    expect(body.source_priority).toEqual([QUIRKY_DEVICE]);
    // heart_rate.bpm 66 and the same device's blood_pressure.pulse 64 both feed the heart-rate trend.
    expect(body.windows[0]).toMatchObject({ count: 2, winning_source: QUIRKY_DEVICE });
    expect(body.windows[0]!.values.bpm).toMatchObject({ min: 64, max: 66, mean: 65 });
    const bp = (await trend(QUIRKY, 'blood_pressure', RANGE)).json() as TrendBody;
    expect(bp.windows[0]!.values.systolic).toMatchObject({ count: 1, mean: 121 });
    // The same ids through SHOW TAG VALUES and the stored priority.
    const put = await api.send(QUIRKY, 'PUT', '/v1/trends/blood_pressure/sources', {
      priority: [QUIRKY_DEVICE],
    });
    expect(put.statusCode).toBe(200);
    expect((await api.get(QUIRKY, '/v1/trends/blood_pressure/sources')).json()).toMatchObject({
      account: QUIRKY,
      priority: [QUIRKY_DEVICE],
      chosen: [QUIRKY_DEVICE],
    });
  });

  it("shows nothing to a caller whose own id is acct_a' OR '1'='1 or carries a newline, though acct_a has data", async () => {
    expect((await trend(A, 'heart_rate', RANGE)).json().windows[0].count).toBe(1);
    for (const sub of [`${A}' OR '1'='1`, `${A}\n`, `${A}\\`, `${A}'`]) {
      const res = await trend(sub, 'heart_rate', RANGE);
      expect(res.statusCode, JSON.stringify(sub)).toBe(200);
      const body = res.json() as TrendBody;
      expect(body.account).toBe(sub);
      expect(body.windows.map((w) => w.count)).toEqual([0, 0, 0]);
      expect(body.source_priority).toEqual([]);
    }
  });

  it("answers account=x' OR '1'='1 and an existing but unshared account with the same 404", async () => {
    const problem = (account: string) =>
      trend(A, 'heart_rate', { ...RANGE, account }).then((r) => ({ status: r.statusCode, body: r.json() }));
    const injected = await problem(`x' OR '1'='1`);
    const unshared = await problem(QUIRKY);
    expect(injected.status).toBe(404);
    expect(injected.body.code).toBe('API_ERR_TREND_ACCOUNT_NOT_FOUND');
    expect(unshared).toEqual(injected);
  });
});
