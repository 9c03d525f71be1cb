import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('rejects window=5x with 400 API_ERR_VALIDATION naming querystring.window', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=5x');
    expectProblem(res, invalid('querystring.window', 'must match pattern "^[1-9][0-9]*(s|m|h|d)$"'));
  });

  it('rejects window=0s with 400 API_ERR_VALIDATION', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=0s');
    expectProblem(res, invalid('querystring.window', 'must match pattern "^[1-9][0-9]*(s|m|h|d)$"'));
  });

  it('rejects from=2024-01-01 (no time) with 400 API_ERR_VALIDATION naming querystring.from', async () => {
    const res = await get('from=2024-01-01&to=2024-01-02T00:00:00Z&window=1h');
    expectProblem(res, invalid('querystring.from', 'must match format "date-time"'));
  });

  it('rejects a missing to with 400 API_ERR_VALIDATION naming querystring.to', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&window=1h');
    expectProblem(res, invalid('querystring.to', "must have required property 'to'"));
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

  it('rejects one day in 1s windows (86 400 buckets) with 400 API_ERR_BAD_TIME_RANGE', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1s');
    expectProblem(
      res,
      badRange(
        'A 1s window over this range gives 86400 buckets; at most 10000 are allowed. Use a wider window or a shorter range.',
        { window: '1s', buckets: 86_400, maxBuckets: 10_000 },
      ),
    );
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

  it('ignores account=acct_other in the query and answers for the token subject acct_demo', async () => {
    const res = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1h&account=acct_other');
    expect(res.statusCode).toBe(200);
    expect(res.json().account).toBe('acct_demo');
  });
});
