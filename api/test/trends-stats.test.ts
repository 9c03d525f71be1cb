import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY,
  HOUR,
  MIN,
  qs,
  type Reading,
  startTrendsApi,
  type TrendBody,
  type TrendsApi,
} from './trends-kit.js';

const S = 'acct_stats';
const D0 = Date.parse('2026-04-01T00:00:00Z'); // a multiple of 3 days since the epoch, so P3D starts here
const RANGE = { from: '2026-04-01T00:00:00Z', to: '2026-04-03T00:00:00Z', window: 'P1D' };

// Exact definitions: 1 lb = 0.45359237 kg (international yard and pound agreement, 1959); 1 jin = 0.5 kg;
// 1 mmHg = 0.133322387415 kPa (conventional millimetre of mercury); °F = °C × 9/5 + 32.
const LB = (kg: number) => kg / 0.45359237;
const JIN = (kg: number) => kg * 2;
const KPA = (mmHg: number) => mmHg * 0.133322387415;
const F = (c: number) => (c * 9) / 5 + 32;

type Stats = Record<'count' | 'min' | 'max' | 'mean' | 'first' | 'last' | 'p10' | 'median' | 'p90', number>;

/** Summary statistics worked out by hand; quantiles by Hyndman & Fan (1996) definition 7, h = (n − 1)p. */
function expectStats(actual: Record<string, number> | null | undefined, expected: Stats): void {
  expect(actual).toBeTruthy();
  expect(Object.keys(actual!).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) expect(actual![k], k).toBeCloseTo(v, 9);
}

const convert = (s: Stats, f: (v: number) => number): Stats => ({
  count: s.count,
  min: f(s.min),
  max: f(s.max),
  mean: f(s.mean),
  first: f(s.first),
  last: f(s.last),
  p10: f(s.p10),
  median: f(s.median),
  p90: f(s.p90),
});

// heart_rate.bpm in time order 70, 60, 90, 65, 72: sorted 60 65 70 72 90, n = 5, h = 4p.
const HR: Stats = {
  count: 5,
  min: 60,
  max: 90,
  mean: 71.4,
  first: 70,
  last: 72,
  p10: 62,
  median: 70,
  p90: 82.8,
};
// Four cuff readings; sorted systolic 118 122 130 141, n = 4, h = 3p: p10 118 + 0.3 × 4, p90 130 + 0.7 × 11.
const SYS: Stats = {
  count: 4,
  min: 118,
  max: 141,
  mean: 127.75,
  first: 130,
  last: 122,
  p10: 119.2,
  median: 126,
  p90: 137.7,
};
const DIA: Stats = {
  count: 4,
  min: 76,
  max: 92,
  mean: 83,
  first: 84,
  last: 80,
  p10: 77.2,
  median: 82,
  p90: 89.6,
};
const MAP: Stats = {
  count: 4,
  min: 90,
  max: 108,
  mean: 97.75,
  first: 99,
  last: 94,
  p10: 91.2,
  median: 96.5,
  p90: 105.3,
};
const PULSE: Stats = {
  count: 4,
  min: 60,
  max: 70,
  mean: 64.5,
  first: 66,
  last: 62,
  p10: 60.6,
  median: 64,
  p90: 68.8,
};
// Weights 70.6, 70.2, 71.0: n = 3, h = 2p: p10 70.2 + 0.2 × 0.4, p90 70.6 + 0.8 × 0.4.
const WEIGHT: Stats = {
  count: 3,
  min: 70.2,
  max: 71,
  mean: 70.6,
  first: 70.6,
  last: 71,
  p10: 70.28,
  median: 70.6,
  p90: 70.92,
};
const SPO2: Stats = {
  count: 3,
  min: 95,
  max: 98,
  mean: 290 / 3,
  first: 97,
  last: 98,
  p10: 95.4,
  median: 97,
  p90: 97.8,
};
// Cuff pulses (66 60 70 62) and the oximeter's (58 59 57), hours apart so none is a duplicate: sorted
// 57 58 59 60 62 66 70, n = 7, h = 6p: p10 57 + 0.6 × 1, p90 66 + 0.4 × 4.
const PULSE_RATE: Stats = {
  count: 7,
  min: 57,
  max: 70,
  mean: 432 / 7,
  first: 58,
  last: 62,
  p10: 57.6,
  median: 60,
  p90: 67.6,
};
const TEMP: Stats = {
  count: 3,
  min: 36.6,
  max: 37,
  mean: 36.8,
  first: 36.6,
  last: 36.8,
  p10: 36.64,
  median: 36.8,
  p90: 36.96,
};

function readings(): Reading[] {
  const at = (h: number, m = 0) => D0 + h * HOUR + m * MIN;
  const r = (measurement: string, device: string, t: number, values: Record<string, number>): Reading => ({
    measurement,
    account: S,
    device,
    t,
    values,
  });
  return [
    ...[70, 60, 90, 65, 72].map((bpm, i) => r('heart_rate', 'dev_band', at(2, i + 1), { bpm })),
    ...[
      [130, 84, 99, 66],
      [118, 76, 90, 60],
      [141, 92, 108, 70],
      [122, 80, 94, 62],
    ].map(([systolic, diastolic, mean_arterial, pulse], i) =>
      r('blood_pressure', 'dev_cuff', at(7 + 4 * i), { systolic, diastolic, mean_arterial, pulse } as Record<
        string,
        number
      >),
    ),
    ...[70.6, 70.2, 71.0].map((weight, i) => r('body_weight', 'dev_scale', at(6, 10 * i), { weight })),
    // A weighing on day 2 (outside RANGE) for spot coverage over P3D.
    r('body_weight', 'dev_scale', D0 + 2 * DAY + 6 * HOUR, { weight: 70.4 }),
    r('body_composition', 'dev_scale', at(6), {
      fat_percent: 22.5,
      muscle_mass: 30.1,
      basal_metabolism: 6500,
    }),
    r('body_composition', 'dev_scale', at(6, 30), {
      fat_percent: 23.1,
      muscle_mass: 30.3,
      basal_metabolism: 6520,
    }),
    ...[
      [97, 58],
      [95, 59],
      [98, 57],
    ].map(([spo2, pulse], i) =>
      r('spo2', 'dev_oximeter', at(3, i), { spo2, pulse } as Record<string, number>),
    ),
    ...[36.6, 37.0, 36.8].map((temperature, i) =>
      r('body_temperature', 'dev_thermo', at(9 + i), { temperature }),
    ),
  ];
}

describe('trend statistics per metric, empty windows, coverage and units', () => {
  let influxd: RunningInfluxd;
  let api: TrendsApi;

  beforeAll(async () => {
    influxd = await startInfluxd();
    api = await startTrendsApi({ influxUrl: influxd.url, database: 'lw_stats', accounts: { [S]: 'Stats' } });
    await api.write(readings());
  });
  afterAll(async () => {
    await api?.close();
    await influxd?.stop();
  });

  const trend = async (metric: string, params: Record<string, string> = {}) => {
    const res = await api.get(S, `/v1/trends/${metric}?${qs({ ...RANGE, ...params })}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as TrendBody;
  };

  it('lists every catalog metric at GET /v1/trends', async () => {
    const res = await api.get(S, '/v1/trends');
    expect(res.json().metrics.map((m: { metric: string; kind: string }) => [m.metric, m.kind])).toEqual([
      ['heart_rate', 'continuous'],
      ['blood_pressure', 'spot'],
      ['body_weight', 'spot'],
      ['body_composition', 'spot'],
      ['spo2', 'continuous'],
      ['pulse_rate', 'spot'],
      ['body_temperature', 'spot'],
    ]);
  });

  it('answers every metric with the hand-computed statistics of day 0 and an empty day 1', async () => {
    const cases: [string, Record<string, Stats>][] = [
      ['heart_rate', { bpm: HR }],
      ['blood_pressure', { systolic: SYS, diastolic: DIA, mean_arterial: MAP, pulse: PULSE }],
      ['body_weight', { weight: WEIGHT }],
      ['spo2', { spo2: SPO2 }],
      ['pulse_rate', { pulse: PULSE_RATE }],
      ['body_temperature', { temperature: TEMP }],
    ];
    for (const [metric, fields] of cases) {
      const body = await trend(metric);
      expect(body.metric).toBe(metric);
      expect(body.windows).toHaveLength(2);
      const [day0, day1] = body.windows;
      for (const [field, stats] of Object.entries(fields)) expectStats(day0!.values[field], stats);
      expect(day0!.count, metric).toBe(Object.values(fields)[0]!.count);
      expect(day0!.empty).toBe(false);
      // No readings is not a zero: the day is marked empty and every field is null, not 0.
      expect(day1).toMatchObject({ empty: true, count: 0, coverage: 0, winning_source: null, sources: [] });
      expect(
        Object.values(day1!.values).every((v) => v === null),
        metric,
      ).toBe(true);
      expect(Object.keys(day1!.values).sort()).toEqual(Object.keys(day0!.values).sort());
    }
  });

  it('answers body_composition with one summary per field and null for fields never measured', async () => {
    const body = await trend('body_composition');
    const day0 = body.windows[0]!;
    expect(day0.values.fat_percent).toMatchObject({
      count: 2,
      min: 22.5,
      max: 23.1,
      first: 22.5,
      last: 23.1,
    });
    expect(day0.values.fat_percent!.median).toBeCloseTo(22.8, 9);
    expect(day0.values.muscle_mass).toMatchObject({ count: 2, min: 30.1, max: 30.3 });
    expect(day0.values.basal_metabolism).toMatchObject({ count: 2, mean: 6510 });
    expect(day0.values.water_mass).toBeNull();
    expect(body.units.basal_metabolism).toEqual({ ucum: 'kJ', display: 'kJ' });
  });

  it('reports coverage: distinct minutes of the day for continuous metrics, 24-hour slots for spot ones', async () => {
    expect((await trend('heart_rate')).windows[0]!.coverage).toBeCloseTo(5 / 1440, 12);
    expect((await trend('spo2')).windows[0]!.coverage).toBeCloseTo(3 / 1440, 12);
    expect((await trend('body_weight')).windows[0]!.coverage).toBe(1);
    // One P3D window: weighings on day 0 and day 2 fill 2 of its 3 day slots.
    const three = await trend('body_weight', { to: '2026-04-04T00:00:00Z', window: 'P3D' });
    expect(three.windows.map((w) => [w.count, w.coverage])).toEqual([[4, 2 / 3]]);
  });

  it('converts weight to lb and jin, pressure to kPa and temperature to °F, to 1e-9', async () => {
    const lb = await trend('body_weight', { units: 'lb' });
    expect(lb.units).toEqual({ weight: { ucum: '[lb_av]', display: 'lb' } });
    expectStats(lb.windows[0]!.values.weight, convert(WEIGHT, LB));
    const jin = await trend('body_weight', { units: 'jin' });
    expect(jin.units.weight).toEqual({ ucum: '{jin}', display: 'jin' });
    expectStats(jin.windows[0]!.values.weight, convert(WEIGHT, JIN));
    // 70.6 kg is 141.2 jin and 155.6457... lb; spelled out once so a wrong factor cannot cancel itself.
    expect(jin.windows[0]!.values.weight!.mean).toBeCloseTo(141.2, 9);
    expect(lb.windows[0]!.values.weight!.mean).toBeCloseTo(155.646_357_102_523_55, 9);

    const kpa = await trend('blood_pressure', { units: 'kPa' });
    expect(kpa.units).toEqual({
      systolic: { ucum: 'kPa', display: 'kPa' },
      diastolic: { ucum: 'kPa', display: 'kPa' },
      mean_arterial: { ucum: 'kPa', display: 'kPa' },
      pulse: { ucum: '/min', display: 'bpm' },
    });
    expectStats(kpa.windows[0]!.values.systolic, convert(SYS, KPA));
    expectStats(kpa.windows[0]!.values.diastolic, convert(DIA, KPA));
    expectStats(kpa.windows[0]!.values.pulse, PULSE);
    expect(kpa.windows[0]!.values.systolic!.max).toBeCloseTo(18.798_456_625_515, 9);

    const f = await trend('body_temperature', { units: 'F' });
    expect(f.units.temperature).toEqual({ ucum: '[degF]', display: '°F' });
    expectStats(f.windows[0]!.values.temperature, convert(TEMP, F));
    expect(f.windows[0]!.values.temperature!.max).toBeCloseTo(98.6, 9);

    // Body composition masses convert with the person's mass unit; percentages do not.
    const comp = await trend('body_composition', { units: 'lb,kPa,F' });
    expect(comp.windows[0]!.values.muscle_mass!.min).toBeCloseTo(LB(30.1), 9);
    expect(comp.windows[0]!.values.fat_percent!.min).toBe(22.5);
  });

  it("uses the person's saved units unless the request names others", async () => {
    const put = await api.send(S, 'PUT', '/v1/health-profile', { units: { mass: 'jin', temperature: 'F' } });
    expect(put.json().units).toEqual({ mass: 'jin', temperature: 'F' });
    expect((await trend('body_weight')).windows[0]!.values.weight!.mean).toBeCloseTo(141.2, 9);
    expect((await trend('body_weight', { units: 'kg' })).windows[0]!.values.weight!.mean).toBeCloseTo(
      70.6,
      9,
    );
    expect((await trend('body_temperature')).units.temperature!.display).toBe('°F');
    await api.send(S, 'PUT', '/v1/health-profile', { units: {} });
    expect((await trend('body_weight')).units.weight!.display).toBe('kg');
  });

  it('refuses unknown and conflicting units with 400 API_ERR_VALIDATION', async () => {
    for (const [units, problem] of [
      ['stone', 'unknown unit "stone"; expected kg, lb, jin, mmHg, kPa, C or F'],
      ['lb,jin', 'conflicting mass units lb and jin'],
    ]) {
      const res = await api.get(S, `/v1/trends/body_weight?${qs({ ...RANGE, units })}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'API_ERR_VALIDATION', field: 'querystring.units' });
      expect(res.json().issues[0].problem).toBe(problem);
    }
  });

  it('gives the same windows with resolution=raw as with the default resolution', async () => {
    for (const metric of [
      'heart_rate',
      'blood_pressure',
      'body_weight',
      'spo2',
      'pulse_rate',
      'body_temperature',
    ]) {
      for (const window of ['P1D', 'PT1H', 'daily']) {
        const auto = await trend(metric, { window });
        const raw = await trend(metric, { window, resolution: 'raw' });
        expect(raw.windows, `${metric} ${window}`).toEqual(auto.windows);
        expect(raw.stores).toEqual(['raw']);
      }
    }
  });
});
