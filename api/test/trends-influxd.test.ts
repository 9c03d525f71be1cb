import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApi, type TestApi } from './helpers.js';

const DB = 'linkwell_trends_test';
const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;

// heart_rate,account=…,device=… bpm=… <ms>; the other account's readings share the demo's timestamps.
const LINES = [
  ['acct_demo', 'dev_demo_wristband', 50, T0 - 1], // before from: excluded
  ['acct_demo', 'dev_demo_wristband', 60, T0 + 10_000],
  ['acct_demo', 'dev_demo_wristband', 80, T0 + 30 * MIN],
  ['acct_demo', 'dev_demo_wristband', 70, T0 + 60 * MIN - 1],
  ['acct_demo', 'dev_demo_wristband', 100, T0 + 135 * MIN],
  ['acct_demo', 'dev_demo_wristband', 55, T0 + 180 * MIN], // exactly at `to`: excluded
  ['acct_other', 'dev_other', 150, T0 + 10_000],
  ['acct_other', 'dev_other', 40, T0 + 70 * MIN],
  ["o'brien", 'dev_q', 66, T0 + 5 * MIN],
]
  .map(([account, device, bpm, t]) => `heart_rate,account=${account},device=${device} bpm=${bpm} ${t}`)
  .join('\n');

const RANGE = 'from=2024-01-01T00:00:00Z&to=2024-01-01T03:00:00Z';

describe('GET /v1/trends/heart_rate against influxd', () => {
  let influxd: RunningInfluxd;
  let api: TestApi;

  beforeAll(async () => {
    influxd = await startInfluxd({ database: DB });
    const res = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, { method: 'POST', body: LINES });
    expect(res.status).toBe(204);
    api = await startTestApi({ url: influxd.url, database: DB });
  });
  afterAll(async () => {
    await api?.close();
    await influxd?.stop();
  });

  const get = (account: string, query: string) =>
    api.app.inject({
      url: `/v1/trends/heart_rate?${query}`,
      headers: bearer(api.tokens.userToken(account)),
    });

  it('returns hourly count, mean, min and max for acct_demo only, skipping the empty 01:00 hour', async () => {
    const res = await get('acct_demo', `${RANGE}&window=1h`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      metric: 'heart_rate',
      kind: 'continuous',
      account: 'acct_demo',
      from: '2024-01-01T00:00:00.000Z',
      to: '2024-01-01T03:00:00.000Z',
      window: '1h',
      merged: true,
      stores: ['raw'],
      source_priority: ['dev_demo_wristband'],
      points: [
        { t: '2024-01-01T00:00:00.000Z', count: 3, mean: 70, min: 60, max: 80 },
        { t: '2024-01-01T02:00:00.000Z', count: 1, mean: 100, min: 100, max: 100 },
      ],
    });
    // The empty hour is a window of its own, marked empty: no data is not a zero.
    expect(body.windows.map((w: { empty: boolean; count: number }) => [w.empty, w.count])).toEqual([
      [false, 3],
      [true, 0],
      [false, 1],
    ]);
    expect(body.windows[0].values.bpm).toEqual({
      count: 3,
      min: 60,
      max: 80,
      mean: 70,
      first: 60,
      last: 70,
      p10: 62,
      median: 70,
      p90: 78,
    });
    expect(body.windows[1].values.bpm).toBeNull();
    expect(body.windows[0].winning_source).toBe('dev_demo_wristband');
    // Three distinct minutes out of sixty.
    expect(body.windows[0].coverage).toBeCloseTo(3 / 60, 12);
  });

  it('returns the whole range as one 3h bucket with count 4 and mean 77.5', async () => {
    const res = await get('acct_demo', `${RANGE}&window=3h`);
    expect(res.json().points).toEqual([
      { t: '2024-01-01T00:00:00.000Z', count: 4, mean: 77.5, min: 60, max: 100 },
    ]);
  });

  it("returns only acct_other's readings to acct_other", async () => {
    const res = await get('acct_other', `${RANGE}&window=1h`);
    expect(res.json().points).toEqual([
      { t: '2024-01-01T00:00:00.000Z', count: 1, mean: 150, min: 150, max: 150 },
      { t: '2024-01-01T01:00:00.000Z', count: 1, mean: 40, min: 40, max: 40 },
    ]);
  });

  it("finds the reading of the account o'brien through the escaped string literal", async () => {
    const res = await get("o'brien", `${RANGE}&window=1h`);
    expect(res.json().points).toEqual([
      { t: '2024-01-01T00:00:00.000Z', count: 1, mean: 66, min: 66, max: 66 },
    ]);
  });

  it("returns no points for the account x' OR '1'='1 (no injection)", async () => {
    const res = await get("x' OR '1'='1", `${RANGE}&window=1h`);
    expect(res.statusCode).toBe(200);
    expect(res.json().points).toEqual([]);
  });

  it('returns 200 with no points while the database has never been created', async () => {
    const other = await startTestApi({ url: influxd.url, database: 'never_written' });
    try {
      const res = await other.app.inject({
        url: `/v1/trends/heart_rate?${RANGE}&window=1h`,
        headers: bearer(other.tokens.userToken('acct_demo')),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().points).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('reports influx ok in /healthz', async () => {
    const res = await api.app.inject({ url: '/healthz' });
    expect(res.json()).toEqual({ status: 'ok', checks: { database: 'ok', influx: 'ok' } });
  });
});
