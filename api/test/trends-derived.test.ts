import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './helpers.js';
import { DAY, HOUR, MIN, qs, type Reading, startTrendsApi, type TrendsApi } from './trends-kit.js';

const DEE = 'acct_dee';
const EVE = 'acct_eve';
const BORN = '1986-06-15';
// Exactly 40 years of 365.2425 days after BORN, so the API's age is 40 and both HRmax formulas give 180:
// Fox 220 − 40, Tanaka 208 − 0.7 × 40.
const NOW = Date.parse(`${BORN}T00:00:00Z`) + 40 * 365.2425 * DAY;
const D = Date.parse('2026-06-10T00:00:00Z');
const at = (day: number, h: number, m = 0) => D + day * DAY + h * HOUR + m * MIN;
const iso = (t: number) => new Date(t).toISOString();

const band = (t: number, bpm: number): Reading => ({
  measurement: 'heart_rate',
  account: DEE,
  device: 'dev_band',
  t,
  values: { bpm },
});
const cuff = (t: number, systolic: number, diastolic: number, pulse: number, quality?: string): Reading => ({
  measurement: 'blood_pressure',
  account: DEE,
  device: quality ? 'dev_watch' : 'dev_cuff',
  t,
  values: { systolic, diastolic, pulse },
  ...(quality ? { quality } : {}),
});

function readings(): Reading[] {
  const minutes = (from: number, n: number, bpm: (i: number) => number) =>
    Array.from({ length: n }, (_, i) => band(from + i * MIN, bpm(i)));
  return [
    // Day 0: 30 still minutes at 70, 20 still minutes at 55, then 20 restless minutes alternating 40/60 (mean
    // 50 but a 20-bpm spread, so not still), then 10 minutes of exercise.
    ...minutes(at(0, 8), 30, () => 70),
    ...minutes(at(0, 9), 20, () => 55),
    ...minutes(at(0, 10), 20, (i) => (i % 2 === 0 ? 40 : 60)),
    ...minutes(at(0, 12), 5, () => 100), // zone 1: [90, 108)
    ...minutes(at(0, 12, 5), 3, () => 130), // zone 3: [126, 144)
    band(at(0, 12, 8), 170), // zone 5
    band(at(0, 12, 9), 185), // above the predicted HRmax: still zone 5
    // Day 1: no band, two cuff pulses: the spot method takes the lower.
    cuff(at(1, 7), 118, 76, 64),
    cuff(at(1, 19), 116, 74, 58),
    // Day 2 (06-12): three cuffed readings on two occasions, mean 136/84, and two wrist estimates.
    cuff(at(2, 7), 138, 86, 70),
    cuff(at(2, 7, 2), 136, 84, 69),
    cuff(at(2, 19), 134, 82, 68),
    cuff(at(2, 7, 1), 150, 95, 80, 'cuffless'),
    cuff(at(2, 20), 190, 125, 90, 'wrist,cuffless'),
    // Day 3 (06-13): a single reading.
    cuff(at(3, 7), 121, 79, 66),
    // Day 4 (06-14): an urgent reading and a normal one, two occasions.
    cuff(at(4, 7), 182, 95, 88),
    cuff(at(4, 12), 120, 80, 70),
    // Weights, one a day from 06-01: seven at 80 kg, then 79.3 kg on 06-08.
    ...Array.from({ length: 8 }, (_, i) => ({
      measurement: 'body_weight',
      account: DEE,
      device: 'dev_scale',
      t: Date.parse('2026-06-01T06:00:00Z') + i * DAY,
      values: { weight: i < 7 ? 80 : 79.3 },
    })),
  ];
}

describe('derived series and classifications on a real influxd', () => {
  let influxd: RunningInfluxd;
  let api: TrendsApi;

  beforeAll(async () => {
    influxd = await startInfluxd();
    api = await startTrendsApi({
      influxUrl: influxd.url,
      database: 'lw_derived',
      accounts: { [DEE]: 'Dee', [EVE]: 'Eve' },
      now: NOW,
    });
    await api.write(readings());
  });
  afterAll(async () => {
    await api?.close();
    await influxd?.stop();
  });

  const get = async (url: string, as = DEE) => {
    const res = await api.get(as, url);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const TWO_DAYS = { from: iso(D), to: iso(D + 2 * DAY) };

  describe('resting heart rate', () => {
    it('takes the lowest still 10-minute run from per-minute data and the lowest cuff pulse on a day without it', async () => {
      const body = await get(`/v1/trends/heart_rate/resting?${qs(TWO_DAYS)}`);
      expect(body).toEqual({
        account: DEE,
        method: 'auto',
        days: [
          {
            date: '2026-06-10',
            zone: 'UTC',
            bpm: 55,
            method: 'sustained-still',
            inputs: {
              method: 'sustained-still',
              windowMinutes: 10,
              stillSpreadBpm: 10,
              startMs: at(0, 9),
              endMs: at(0, 9, 10),
              spreadBpm: 0,
              // 21 runs in the 30-minute block, 11 in the 20-minute one; none in the restless or exercise minutes.
              stillRuns: 32,
            },
          },
          {
            date: '2026-06-11',
            zone: 'UTC',
            bpm: 58,
            method: 'spot',
            inputs: { method: 'spot', t: at(1, 19), source: 'dev_cuff', readings: 2 },
          },
        ],
      });
    });

    it('honours method and window_minutes: spot leaves day 0 out, 30 minutes finds only the 70-bpm block', async () => {
      const spot = await get(`/v1/trends/heart_rate/resting?${qs({ ...TWO_DAYS, method: 'spot' })}`);
      expect(spot.days.map((d: { date: string; bpm: number }) => [d.date, d.bpm])).toEqual([
        ['2026-06-11', 58],
      ]);
      const long = await get(`/v1/trends/heart_rate/resting?${qs({ ...TWO_DAYS, window_minutes: 30 })}`);
      expect(long.days[0]).toMatchObject({ bpm: 70, inputs: { stillRuns: 1, startMs: at(0, 8) } });
    });
  });

  describe('heart-rate zones', () => {
    it('answers 409 API_ERR_PROFILE_INCOMPLETE naming birth_date while none is recorded', async () => {
      expectProblem(await api.get(DEE, `/v1/trends/heart_rate/zones?${qs(TWO_DAYS)}`), {
        status: 409,
        code: 'API_ERR_PROFILE_INCOMPLETE',
        detail: 'Heart-rate zones need a birth date in the health profile.',
        instance: '/v1/trends/heart_rate/zones',
        missing: ['birth_date'],
      });
    });

    it('counts minutes per zone per civil day at age 40 (HRmax 180), by %HRmax and by Karvonen', async () => {
      const put = await api.send(DEE, 'PUT', '/v1/health-profile', { birth_date: BORN });
      expect(put.json().birth_date).toBe(BORN);
      const pct = await get(`/v1/trends/heart_rate/zones?${qs({ ...TWO_DAYS, hrmax: 'fox' })}`);
      expect(pct.method).toBe('pct-hrmax');
      expect(pct.hrMax).toEqual({ formula: 'fox', bpm: 180 });
      expect(pct.zones.map((z: { lowBpm: number; highBpm: number }) => [z.lowBpm, z.highBpm])).toEqual([
        [90, 108],
        [108, 126],
        [126, 144],
        [144, 162],
        [162, 180],
      ]);
      expect(pct.days).toEqual([
        { date: '2026-06-10', zone: 'UTC', minutes: { below: 70, z1: 5, z2: 0, z3: 3, z4: 0, z5: 2 } },
        { date: '2026-06-11', zone: 'UTC', minutes: { below: 0, z1: 0, z2: 0, z3: 0, z4: 0, z5: 0 } },
      ]);
      expect((await get(`/v1/trends/heart_rate/zones?${qs(TWO_DAYS)}`)).hrMax).toEqual({
        formula: 'tanaka',
        bpm: 180,
      });
      // Karvonen on the median daily resting rate (55 and 58 → the lower middle, 55): 55 + pct × 125.
      const k = await get(`/v1/trends/heart_rate/zones?${qs({ ...TWO_DAYS, model: 'karvonen' })}`);
      expect(k.restingBpm).toBe(55);
      expect(k.zones[0]).toMatchObject({ lowBpm: 117.5, highBpm: 130 });
      expect(k.days[0].minutes).toEqual({ below: 75, z1: 0, z2: 3, z3: 0, z4: 0, z5: 2 });
    });
  });

  describe('smoothed weight', () => {
    const WEEK = { from: '2026-06-01T00:00:00Z', to: '2026-06-09T00:00:00Z' };
    // Seven days at 80 kg, then 79.3: each smoother's last value worked out by hand.
    const LAST = {
      'ema-10': 80 + 0.1 * -0.7,
      'ema-tau-7d': 80 + (1 - Math.exp(-1 / 7)) * -0.7,
      holt: 0.3 * 79.3 + 0.7 * 80,
    } as const;

    for (const [smoother, last] of Object.entries(LAST))
      it(`smooths with ${smoother} and gives the weekly rate in kg and in lb`, async () => {
        const kg = await get(`/v1/trends/body_weight/smoothed?${qs({ ...WEEK, smoother })}`);
        expect(kg).toMatchObject({ account: DEE, smoother, unit: { ucum: 'kg', display: 'kg' } });
        expect(kg.points).toHaveLength(8);
        expect(kg.points.slice(0, 7).every((p: { smoothed: number }) => p.smoothed === 80)).toBe(true);
        expect(kg.points[7].raw).toBe(79.3);
        expect(kg.points[7].smoothed).toBeCloseTo(last, 9);
        // Last smoothed minus the smoothed value 7 days before (80).
        expect(kg.weekly_rate).toBeCloseTo(last - 80, 9);
        const lb = await get(`/v1/trends/body_weight/smoothed?${qs({ ...WEEK, smoother, units: 'lb' })}`);
        expect(lb.unit).toEqual({ ucum: '[lb_av]', display: 'lb' });
        expect(lb.points[7].smoothed).toBeCloseTo(last / 0.45359237, 9);
        expect(lb.weekly_rate).toBeCloseTo((last - 80) / 0.45359237, 9);
      });

    it('has no weekly rate with under 7 days of history, and refuses an unknown smoother', async () => {
      const short = await get(
        `/v1/trends/body_weight/smoothed?${qs({ from: '2026-06-01T00:00:00Z', to: '2026-06-05T00:00:00Z' })}`,
      );
      expect(short).toMatchObject({ smoother: 'ema-tau-7d', weekly_rate: null });
      expect((await api.get(DEE, '/v1/trends/body_weight/smoothed?smoother=ema-20')).json()).toMatchObject({
        status: 400,
        code: 'API_ERR_VALIDATION',
        field: 'querystring.smoother',
      });
    });
  });

  describe('BMI', () => {
    it('answers 409 naming height while the profile has none and no scale sent one', async () => {
      expectProblem(await api.get(DEE, '/v1/trends/bmi'), {
        status: 409,
        code: 'API_ERR_PROFILE_INCOMPLETE',
        detail: 'BMI needs a weight and a height (from a scale or the profile).',
        instance: '/v1/trends/bmi',
        missing: ['height'],
      });
      expect((await api.get(EVE, '/v1/trends/bmi')).json().missing).toEqual(['weight', 'height']);
    });

    it('classifies 79.3 kg at 1.75 m (BMI 25.89) as pre-obese (WHO), increased risk (WHO Asian), overweight (China)', async () => {
      await api.send(DEE, 'PUT', '/v1/health-profile', { height_m: 1.75 });
      const bmi = 79.3 / 1.75 ** 2;
      const who = await get('/v1/trends/bmi');
      expect(who.bmi).toBeCloseTo(bmi, 12);
      expect(who).toMatchObject({
        account: DEE,
        bmi_rounded: 25.9,
        weight: { kg: 79.3, t: Date.parse('2026-06-08T06:00:00Z'), source: 'dev_scale' },
        height: { m: 1.75, source: 'profile' },
        classification: { scheme: 'who', category: 'pre_obese', inputs: { bmi: 25.89, age_years: 40 } },
      });
      const asian = await get('/v1/trends/bmi?scheme=who-asian');
      expect(asian.classification).toMatchObject({ scheme: 'who-asian', category: 'increased_risk' });
      expect(asian.bands.map((b: { at_least: number }) => b.at_least)).toEqual([
        0, 18.5, 23, 27.5, 32.5, 37.5,
      ]);
      const china = await get('/v1/classifications/bmi?scheme=china');
      expect(china).toMatchObject({ account: DEE, kind: 'bmi', scheme: 'china', category: 'overweight' });
      expect(china.disclaimer.en).toContain('not a diagnosis');
    });
  });

  describe('blood-pressure classification', () => {
    const day = (n: number) => ({ from: iso(at(n, 0)), to: iso(at(n + 1, 0)) });
    const classify = (n: number, params: Record<string, string> = {}) =>
      get(`/v1/classifications/blood_pressure?${qs({ ...day(n), ...params })}`);

    it('classifies the mean of 3 cuffed readings on 2 occasions (136/84) as ACC/AHA 2017 home stage 2, leaving out wrist estimates', async () => {
      const body = await classify(2);
      expect(body).toMatchObject({
        account: DEE,
        kind: 'blood_pressure',
        scheme: 'acc-aha-2017',
        scheme_version: '2017',
        setting: 'home',
        category: 'stage_2',
        inputs: {
          readings_used: 3,
          readings_cuffless_excluded: 2,
          occasions: 2,
          mean_systolic: 136,
          mean_diastolic: 84,
          from: iso(at(2, 7)),
          to: iso(at(2, 19)),
        },
      });
      expect(body.disclaimer.en).toContain('not a diagnosis');
      // 190/125 is urgent by value but wrist-estimated: stored, never listed.
      expect(body.urgent_readings).toEqual([]);
      // Office thresholds put the same mean a stage lower; ESC 2024 home calls it hypertension.
      expect((await classify(2, { setting: 'office' })).category).toBe('stage_1');
      expect((await classify(2, { scheme: 'esc-2024' })).category).toBe('hypertension');
    });

    it('says insufficient_data for one reading, and not_applicable for wrist estimates alone', async () => {
      const one = await classify(3);
      expect(one).toMatchObject({
        category: 'insufficient_data',
        inputs: { readings_used: 1, occasions: 1 },
      });
      const wrist = await get(
        `/v1/classifications/blood_pressure?${qs({ from: iso(at(2, 7, 1)), to: iso(at(2, 7, 2)) })}`,
      );
      expect(wrist).toMatchObject({
        category: 'not_applicable',
        inputs: { readings_used: 0, readings_cuffless_excluded: 1 },
      });
    });

    it('lists a reading at or above 180 systolic as urgent, beside the classification', async () => {
      const body = await classify(4);
      expect(body.urgent_readings).toEqual([{ t: iso(at(4, 7)), systolic: 182, diastolic: 95 }]);
      expect(body).toMatchObject({
        category: 'stage_2',
        inputs: { mean_systolic: 151, mean_diastolic: 87.5 },
      });
    });

    it('stores a custom programme, reads it back and classifies with it; refuses a programme that breaks its rules', async () => {
      expectProblem(
        await api.get(DEE, `/v1/classifications/blood_pressure?${qs({ ...day(2), scheme: 'custom' })}`),
        {
          status: 409,
          code: 'API_ERR_PROFILE_INCOMPLETE',
          detail: 'No custom blood-pressure programme is set for this person.',
          instance: '/v1/classifications/blood_pressure',
          missing: ['bp_programme'],
        },
      );
      const programme = {
        name: 'Clinic plan',
        version: '2026-1',
        categories: [
          { code: 'on_target', label: 'On target', systolic_at_least: 0, diastolic_at_least: 0 },
          { code: 'above', label: 'Above target', systolic_at_least: 135, diastolic_at_least: 85 },
          { code: 'call', label: 'Call the clinic', systolic_at_least: 160, diastolic_at_least: 100 },
        ],
      };
      const put = await api.send(DEE, 'PUT', '/v1/health-profile/bp-programme', programme);
      expect(put.json()).toEqual({ account: DEE, programme });
      expect(await get('/v1/health-profile/bp-programme')).toEqual({ account: DEE, programme });
      const body = await classify(2, { scheme: 'custom' });
      expect(body).toMatchObject({ scheme: 'custom', scheme_version: '2026-1', category: 'above' });
      expect((await classify(3, { scheme: 'custom' })).category).toBe('insufficient_data');

      const broken = { ...programme, categories: [{ ...programme.categories[1]!, code: 'only' }] };
      const bad = await api.send(DEE, 'PUT', '/v1/health-profile/bp-programme', broken);
      expect(bad.json()).toMatchObject({
        status: 400,
        code: 'API_ERR_BAD_BP_PROGRAMME',
        issues: [
          { path: '/categories/0', reason: 'the first category must start at systolic 0 and diastolic 0' },
        ],
      });
      // The stored programme is unchanged.
      expect((await get('/v1/health-profile/bp-programme')).programme).toEqual(programme);
    });

    it('lists every scheme with its version and source', async () => {
      const body = await get('/v1/classifications/schemes');
      expect(body.blood_pressure.map((s: { id: string }) => s.id)).toEqual([
        'acc-aha-2017',
        'acc-aha-2025',
        'esc-2024',
      ]);
      expect(body.bmi.map((s: { id: string }) => s.id)).toEqual(['who', 'who-asian', 'china']);
    });
  });
});
