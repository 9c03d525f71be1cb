import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './helpers.js';
import {
  DAY,
  MIN,
  qs,
  startTrendsApi,
  type TrendBody,
  type TrendsApi,
  type WindowBody,
} from './trends-kit.js';

const P = 'acct_pat';
const A = 'dev_scale_a';
const B = 'dev_scale_b';
const BAND = 'dev_band';
const CUFF = 'dev_cuff';
const D0 = Date.parse('2026-04-06T00:00:00Z');
const H0 = Date.parse('2026-04-10T06:00:00Z');

const weight = (device: string, t: number, kg: number) => ({
  measurement: 'body_weight',
  account: P,
  device,
  t,
  values: { weight: kg },
});

/** Per window: [count, mean, winning_source, sources, suppressed_sources]. */
type Verdict = [number, number | null, string | null, string[], string[]];
const verdicts = (windows: readonly WindowBody[], field: string): Verdict[] =>
  windows.map((w) => [
    w.count,
    // Means of decimal weights are not exact in binary floating point; 1e-9 kg is far below any scale's resolution.
    w.values[field] ? Math.round(w.values[field].mean! * 1e9) / 1e9 : null,
    w.winning_source,
    w.sources,
    w.suppressed_sources,
  ]);

describe('reconciliation of two scales and two heart-rate sources', () => {
  let influxd: RunningInfluxd;
  let api: TrendsApi;

  beforeAll(async () => {
    influxd = await startInfluxd();
    api = await startTrendsApi({
      influxUrl: influxd.url,
      database: 'lw_reconcile',
      accounts: { [P]: 'Pat' },
    });
    await api.write([
      // Day 0: one weighing seen by both scales, 4 min and 0.3 kg apart (within 10 min / 0.5 kg).
      weight(A, D0 + 7 * 60 * MIN, 80.0),
      weight(B, D0 + 7 * 60 * MIN + 4 * MIN, 80.3),
      // Day 1: 2 min apart but 0.8 kg apart: two weighings.
      weight(A, D0 + DAY + 8 * 60 * MIN, 79.0),
      weight(B, D0 + DAY + 8 * 60 * MIN + 2 * MIN, 79.8),
      // Day 2: the same weight 11 min apart: two weighings.
      weight(A, D0 + 2 * DAY + 8 * 60 * MIN, 78.0),
      weight(B, D0 + 2 * DAY + 8 * 60 * MIN + 11 * MIN, 78.0),
      // Day 3: exactly 10 min and 0.5 kg apart: the tolerances are inclusive, one weighing.
      weight(A, D0 + 3 * DAY + 8 * 60 * MIN, 77.0),
      weight(B, D0 + 3 * DAY + 8 * 60 * MIN + 10 * MIN, 77.5),
      // Heart rate: the band's heart_rate.bpm and the cuff's blood_pressure.pulse.
      { measurement: 'heart_rate', account: P, device: BAND, t: H0 + 5 * MIN, values: { bpm: 60 } },
      { measurement: 'heart_rate', account: P, device: BAND, t: H0 + 6 * MIN, values: { bpm: 62 } },
      {
        measurement: 'blood_pressure',
        account: P,
        device: CUFF,
        t: H0 + 10 * MIN,
        values: { systolic: 120, diastolic: 80, pulse: 70 },
      },
      {
        measurement: 'blood_pressure',
        account: P,
        device: CUFF,
        t: H0 + 70 * MIN,
        values: { systolic: 118, diastolic: 78, pulse: 72 },
      },
      { measurement: 'heart_rate', account: P, device: BAND, t: H0 + 130 * MIN, values: { bpm: 64 } },
    ]);
  });
  afterAll(async () => {
    await api?.close();
    await influxd?.stop();
  });

  const WEIGHT_RANGE = { from: '2026-04-06T00:00:00Z', to: '2026-04-10T00:00:00Z', window: 'P1D' };
  const HR_RANGE = { from: '2026-04-10T06:00:00Z', to: '2026-04-10T09:00:00Z', window: 'PT1H' };
  const trend = async (metric: string, params: Record<string, string | boolean>) => {
    const res = await api.get(P, `/v1/trends/${metric}?${qs(params)}`);
    expect(res.statusCode).toBe(200);
    return res.json() as TrendBody;
  };

  it('drops the second scale’s copy of a weighing and names both scales per day', async () => {
    const body = await trend('body_weight', WEIGHT_RANGE);
    expect(body.merged).toBe(true);
    expect(body.source_priority).toEqual([A, B]);
    expect(verdicts(body.windows, 'weight')).toEqual([
      [1, 80, A, [A], [B]],
      [2, 79.4, A, [A, B], []],
      [2, 78, A, [A, B], []],
      [1, 77, A, [A], [B]],
    ]);
  });

  it('counts every reading of every source with merged=false, naming no winner', async () => {
    const body = await trend('body_weight', { ...WEIGHT_RANGE, merged: false });
    expect(body.merged).toBe(false);
    expect(verdicts(body.windows, 'weight')).toEqual([
      [2, 80.15, null, [A, B], []],
      [2, 79.4, null, [A, B], []],
      [2, 78, null, [A, B], []],
      [2, 77.25, null, [A, B], []],
    ]);
  });

  it('returns one series per scale with by_source=true, duplicates included', async () => {
    const body = await trend('body_weight', { ...WEIGHT_RANGE, by_source: true });
    expect(body.series!.map((s) => s.source)).toEqual([A, B]);
    const [a, b] = body.series!;
    expect(verdicts(a!.windows, 'weight')).toEqual([
      [1, 80, A, [A], []],
      [1, 79, A, [A], []],
      [1, 78, A, [A], []],
      [1, 77, A, [A], []],
    ]);
    expect(b!.windows.map((w) => w.values.weight?.mean)).toEqual([80.3, 79.8, 78, 77.5]);
    // The merged windows stay as they were.
    expect(body.windows.map((w) => w.count)).toEqual([1, 2, 2, 1]);
  });

  it('lets the band win an hour it shares with the cuff’s pulse, and the cuff win an hour the band missed', async () => {
    const body = await trend('heart_rate', HR_RANGE);
    expect(body.source_priority).toEqual([BAND, CUFF]);
    expect(verdicts(body.windows, 'bpm')).toEqual([
      [2, 61, BAND, [BAND], [CUFF]],
      [1, 72, CUFF, [CUFF], []],
      [1, 64, BAND, [BAND], []],
    ]);
    const all = await trend('heart_rate', { ...HR_RANGE, merged: false });
    expect(verdicts(all.windows, 'bpm')).toEqual([
      [3, 64, null, [BAND, CUFF], []],
      [1, 72, null, [CUFF], []],
      [1, 64, null, [BAND], []],
    ]);
    const split = await trend('heart_rate', { ...HR_RANGE, by_source: true });
    expect(split.series!.map((s) => [s.source, s.windows.map((w) => w.count)])).toEqual([
      [BAND, [2, 0, 1]],
      [CUFF, [1, 1, 0]],
    ]);
  });

  it('flips the winner when PUT /v1/trends/{metric}/sources puts the other source first, and reads it back', async () => {
    const put = await api.send(P, 'PUT', '/v1/trends/heart_rate/sources', { priority: [CUFF] });
    expect(put.statusCode).toBe(200);
    const expected = {
      metric: 'heart_rate',
      account: P,
      priority: [CUFF, BAND],
      chosen: [CUFF],
      sources: [
        { id: CUFF, name: null },
        { id: BAND, name: null },
      ],
    };
    expect(put.json()).toEqual(expected);
    expect((await api.get(P, '/v1/trends/heart_rate/sources')).json()).toEqual(expected);
    const body = await trend('heart_rate', HR_RANGE);
    expect(body.source_priority).toEqual([CUFF, BAND]);
    expect(verdicts(body.windows, 'bpm')).toEqual([
      [1, 70, CUFF, [CUFF], [BAND]],
      [1, 72, CUFF, [CUFF], []],
      [1, 64, BAND, [BAND], []],
    ]);

    expect(
      (await api.send(P, 'PUT', '/v1/trends/body_weight/sources', { priority: [B, A] })).statusCode,
    ).toBe(200);
    const weights = await trend('body_weight', WEIGHT_RANGE);
    expect(verdicts(weights.windows, 'weight')).toEqual([
      [1, 80.3, B, [B], [A]],
      [2, 79.4, B, [B, A], []],
      [2, 78, B, [B, A], []],
      [1, 77.5, B, [B], [A]],
    ]);
    // Priorities are per metric: heart rate keeps its own.
    expect((await api.get(P, '/v1/trends/heart_rate/sources')).json().chosen).toEqual([CUFF]);
    // An empty list goes back to the default order.
    expect(
      (await api.send(P, 'PUT', '/v1/trends/body_weight/sources', { priority: [] })).json(),
    ).toMatchObject({
      priority: [A, B],
      chosen: [],
    });
  });

  it('refuses a source that never measured the metric, or one named twice, with 422 API_ERR_SOURCE_PRIORITY_INVALID', async () => {
    const url = '/v1/trends/body_weight/sources';
    expectProblem(await api.send(P, 'PUT', url, { priority: [A, 'dev_unknown'] }), {
      status: 422,
      code: 'API_ERR_SOURCE_PRIORITY_INVALID',
      detail: 'These sources never measured body_weight for this person: dev_unknown.',
      instance: url,
      sources: [A, B],
    });
    // The band measured heart rate, not weight.
    expect((await api.send(P, 'PUT', url, { priority: [BAND] })).json().code).toBe(
      'API_ERR_SOURCE_PRIORITY_INVALID',
    );
    expectProblem(await api.send(P, 'PUT', url, { priority: [A, A] }), {
      status: 422,
      code: 'API_ERR_SOURCE_PRIORITY_INVALID',
      detail: 'A source appears twice in the priority list.',
      instance: url,
      sources: [A, B],
    });
    expect((await api.get(P, url)).json().chosen).toEqual([]);
  });
});
