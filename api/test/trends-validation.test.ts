import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINDOW_PATTERN } from '../src/modules/trends/schemas.js';
import { bearer, emptyInflux, expectProblem, startTestApi, type TestApi } from './helpers.js';

const PATH = '/v1/trends/heart_rate';

describe('GET /v1/trends/heart_rate parameter checks', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ url: 'http://influx.invalid', database: 'linkwell' }, emptyInflux);
  });
  afterAll(async () => {
    await api?.close();
  });

  const get = (query: string) =>
    api.app.inject({
      url: `${PATH}?${query}`,
      headers: bearer(api.tokens.userToken('acct_demo')),
    });
  const invalid = (field: string, problem: string) => ({
    status: 400,
    code: 'API_ERR_VALIDATION',
    detail: `Invalid ${field}: ${problem}`,
    instance: PATH,
    field,
    issues: [{ field, problem }],
  });
  const badRange = (detail: string, extensions: Record<string, unknown>) => ({
    status: 400,
    code: 'API_ERR_BAD_TIME_RANGE',
    detail,
    instance: PATH,
    ...extensions,
  });

  const badWindow = invalid('querystring.window', `must match pattern "${WINDOW_PATTERN}"`);

  it('rejects window=5x with 400 API_ERR_VALIDATION naming querystring.window', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=5x');
    expectProblem(res, badWindow);
  });

  it('rejects window=0s (legacy form starts at 1) with 400 API_ERR_VALIDATION', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=0s');
    expectProblem(res, badWindow);
  });

  it('rejects months, years and fractional seconds (P1M, P1Y, PT0.5S) with 400 API_ERR_VALIDATION', async () => {
    for (const w of ['P1M', 'P1Y', 'PT0.5S', 'P', 'PT', 'weekly'])
      expectProblem(await get(`from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=${w}`), badWindow);
  });

  it('rejects window=PT0S with 400 API_ERR_WINDOW_TOO_FINE and min_window PT1S', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=PT0S');
    expectProblem(res, {
      status: 400,
      code: 'API_ERR_WINDOW_TOO_FINE',
      detail: 'The window PT0S is shorter than 1 second.',
      instance: PATH,
      window: 'PT0S',
      min_window: 'PT1S',
    });
  });

  it('accepts daily, ISO 8601 durations (PT15M, P1D, P1W, P1DT12H) and the legacy 5m form', async () => {
    for (const w of ['daily', 'PT15M', 'P1D', 'P1W', 'P1DT12H', '5m']) {
      const res = await get(`from=2024-01-01T00:00:00Z&to=2024-01-15T00:00:00Z&window=${w}`);
      expect(res.statusCode, w).toBe(200);
      expect(res.json().window).toBe(w);
    }
  });

  it('rejects from=2024-01-01 (no time) with 400 API_ERR_VALIDATION naming querystring.from', async () => {
    const res = await get('from=2024-01-01&to=2024-01-02T00:00:00Z&window=1h');
    expectProblem(res, invalid('querystring.from', 'must match format "date-time"'));
  });

  it('defaults to the 7 days up to now when from and to are left out', async () => {
    const before = Date.now();
    const body = (await get('window=P1D')).json();
    const to = Date.parse(body.to);
    expect(to).toBeGreaterThanOrEqual(before - 1);
    expect(to).toBeLessThanOrEqual(Date.now());
    expect(to - Date.parse(body.from)).toBe(7 * 86_400_000);
  });

  it('names a defaulted to by its instant when from is over 400 days ago', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&window=P1D');
    const to = res.json().to as string;
    expect(Date.parse(to)).toBeGreaterThan(Date.parse('2025-02-04T00:00:00Z'));
    expectProblem(
      res,
      badRange(`The range from 2024-01-01T00:00:00Z to ${to} is longer than 400 days.`, {
        from: '2024-01-01T00:00:00Z',
        to,
        maxRangeDays: 400,
      }),
    );
  });

  it('rejects from equal to to with 400 API_ERR_BAD_TIME_RANGE', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-01T00:00:00Z&window=1h');
    expectProblem(
      res,
      badRange('from (2024-01-01T00:00:00Z) must be before to (2024-01-01T00:00:00Z).', {
        from: '2024-01-01T00:00:00Z',
        to: '2024-01-01T00:00:00Z',
      }),
    );
  });

  it('rejects from after to with 400 API_ERR_BAD_TIME_RANGE', async () => {
    const res = await get('from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z&window=1h');
    expectProblem(
      res,
      badRange('from (2024-01-02T00:00:00Z) must be before to (2024-01-01T00:00:00Z).', {
        from: '2024-01-02T00:00:00Z',
        to: '2024-01-01T00:00:00Z',
      }),
    );
  });

  it('rejects one day in 1s windows (86 400 windows) with 400 API_ERR_WINDOW_TOO_FINE and the finest PT9S', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1s');
    expectProblem(res, {
      status: 400,
      code: 'API_ERR_WINDOW_TOO_FINE',
      detail:
        'A 1s window over this range gives 86400 windows; at most 10000 are allowed. Use a window of at least PT9S or a shorter range.',
      instance: PATH,
      window: '1s',
      windows: 86_400,
      max_windows: 10_000,
      min_window: 'PT9S',
    });
  });

  it('rejects a two-year range with 400 API_ERR_BAD_TIME_RANGE', async () => {
    const res = await get('from=2022-01-01T00:00:00Z&to=2024-01-01T00:00:00Z&window=1d');
    expectProblem(
      res,
      badRange('The range from 2022-01-01T00:00:00Z to 2024-01-01T00:00:00Z is longer than 400 days.', {
        from: '2022-01-01T00:00:00Z',
        to: '2024-01-01T00:00:00Z',
        maxRangeDays: 400,
      }),
    );
  });

  it('answers account=acct_other, who shares nothing with acct_demo, with 404 API_ERR_TREND_ACCOUNT_NOT_FOUND', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1h&account=acct_other');
    expectProblem(res, {
      status: 404,
      code: 'API_ERR_TREND_ACCOUNT_NOT_FOUND',
      detail: 'No account with this id shares its data with you.',
      instance: PATH,
    });
  });
});
