import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, emptyInflux, startTestApi, type TestApi } from './helpers.js';

describe('GET /v1/trends/heart_rate parameter checks', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ url: 'http://influx.invalid', database: 'linkwell' }, emptyInflux);
  });
  afterAll(async () => {
    await api?.close();
  });

  const get = async (query: string) => {
    const res = await api.app.inject({
      url: `/v1/trends/heart_rate?${query}`,
      headers: bearer(api.tokens.userToken('acct_demo')),
    });
    return { status: res.statusCode, body: res.json() };
  };

  it('rejects window=5x with 400 API_ERR_VALIDATION naming querystring.window', async () => {
    const { status, body } = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=5x');
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: 'API_ERR_VALIDATION',
      details: { field: 'querystring.window' },
    });
  });

  it('rejects window=0s with 400 API_ERR_VALIDATION', async () => {
    const { status, body } = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=0s');
    expect(status).toBe(400);
    expect(body.error.code).toBe('API_ERR_VALIDATION');
  });

  it('rejects from=2024-01-01 (no time) with 400 API_ERR_VALIDATION naming querystring.from', async () => {
    const { status, body } = await get('from=2024-01-01&to=2024-01-02T00:00:00Z&window=1h');
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: 'API_ERR_VALIDATION',
      message: 'Invalid querystring.from: must match format "date-time"',
      details: {
        field: 'querystring.from',
        issues: [{ field: 'querystring.from', problem: 'must match format "date-time"' }],
      },
    });
  });

  it('rejects a missing to with 400 API_ERR_VALIDATION naming querystring.to', async () => {
    const { status, body } = await get('from=2024-01-01T00:00:00Z&window=1h');
    expect(status).toBe(400);
    expect(body.error.details.field).toBe('querystring.to');
  });

  it('rejects from equal to to with 400 API_ERR_BAD_TIME_RANGE', async () => {
    const { status, body } = await get('from=2024-01-01T00:00:00Z&to=2024-01-01T00:00:00Z&window=1h');
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: 'API_ERR_BAD_TIME_RANGE',
      message: 'from (2024-01-01T00:00:00Z) must be before to (2024-01-01T00:00:00Z).',
      details: { from: '2024-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' },
    });
  });

  it('rejects from after to with 400 API_ERR_BAD_TIME_RANGE', async () => {
    const { status, body } = await get('from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z&window=1h');
    expect(status).toBe(400);
    expect(body.error.code).toBe('API_ERR_BAD_TIME_RANGE');
  });

  it('rejects one day in 1s windows (86 400 buckets) with 400 API_ERR_BAD_TIME_RANGE', async () => {
    const { status, body } = await get('from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1s');
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: 'API_ERR_BAD_TIME_RANGE',
      message:
        'A 1s window over this range gives 86400 buckets; at most 10000 are allowed. Use a wider window or a shorter range.',
      details: { window: '1s', buckets: 86_400, maxBuckets: 10_000 },
    });
  });

  it('rejects a two-year range with 400 API_ERR_BAD_TIME_RANGE', async () => {
    const { status, body } = await get('from=2022-01-01T00:00:00Z&to=2024-01-01T00:00:00Z&window=1d');
    expect(status).toBe(400);
    expect(body.error.code).toBe('API_ERR_BAD_TIME_RANGE');
  });

  it('ignores account=acct_other in the query and answers for the token subject acct_demo', async () => {
    const { status, body } = await get(
      'from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&window=1h&account=acct_other',
    );
    expect(status).toBe(200);
    expect(body.account).toBe('acct_demo');
  });
});
