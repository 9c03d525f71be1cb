import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qs, type Reading, startTrendsApi, type TrendBody, type TrendsApi } from './trends-kit.js';

const NY = 'acct_ny';
const BE = 'acct_be';
const SH = 'acct_sh';
const MOVER = 'acct_mover';
const NOBODY = 'acct_no_zone';

const hr = (account: string, iso: string, bpm: number): Reading => ({
  measurement: 'heart_rate',
  account,
  device: `band_${account}`,
  t: Date.parse(iso),
  values: { bpm },
});

/** What each daily window must say: its civil date and zone, its UTC bounds, its length and count. */
type Day = [date: string, zone: string, start: string, end: string, hours: number, count: number];

function daysOf(body: TrendBody): Day[] {
  return body.windows.map((w) => [w.date!, w.time_zone!, w.start, w.end, w.hours, w.count]);
}

const iso = (text: string) => new Date(text).toISOString();

/*
 * Transition instants from the IANA tz database (tzdata "northamerica" and "europe" rules): the US moves
 * clocks on the second Sunday of March and the first Sunday of November at 02:00 local; the EU on the last
 * Sunday of March and of October at 01:00 UTC. China has kept UTC+8 all year since 1991.
 */
describe('daily windows are civil days across DST changes', () => {
  let influxd: RunningInfluxd;
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.stop();
  });

  describe('with the zone given as ?time_zone=', () => {
    let api: TrendsApi;
    beforeAll(async () => {
      api = await startTrendsApi({ influxUrl: influxd.url, database: 'lw_daily_override' });
      await api.write([
        // New York, spring forward: 2026-03-08 runs 05:00Z → 2026-03-09 04:00Z (23 h).
        hr(NY, '2026-03-08T04:59:30Z', 60), // 23:59:30 EST on 03-07
        hr(NY, '2026-03-08T05:00:00Z', 61), // midnight: the first instant of 03-08
        hr(NY, '2026-03-08T07:30:00Z', 62), // 03:30 EDT, just after the skipped hour
        hr(NY, '2026-03-09T03:59:59Z', 63), // 23:59:59 EDT on 03-08
        hr(NY, '2026-03-09T04:30:00Z', 64), // 00:30 EDT on 03-09 (24 h after 03-08's start would still be 03-08)
        // New York, fall back: 2026-11-01 runs 04:00Z → 2026-11-02 05:00Z (25 h).
        hr(NY, '2026-11-01T05:30:00Z', 70), // 01:30 EDT, the first 01:30
        hr(NY, '2026-11-01T06:30:00Z', 71), // 01:30 EST, the repeated hour
        hr(NY, '2026-11-02T04:30:00Z', 72), // 23:30 EST on 11-01 (UTC date 11-02)
        hr(NY, '2026-11-02T05:00:00Z', 73), // midnight 11-02
        // Shanghai on the same dates: 24 h each, midnight at 16:00Z.
        hr(SH, '2026-03-08T15:59:59Z', 80), // 23:59:59 CST on 03-08
        hr(SH, '2026-03-08T16:00:00Z', 81), // 00:00 on 03-09
        hr(SH, '2026-11-01T15:30:00Z', 82),
      ]);
    });
    afterAll(async () => {
      await api?.close();
    });

    const daily = async (as: string, from: string, to: string, time_zone: string) => {
      const res = await api.get(as, `/v1/trends/heart_rate?${qs({ from, to, window: 'daily', time_zone })}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as TrendBody;
      expect(body.time_zone_source).toBe('request');
      return body;
    };

    it('gives America/New_York 2026-03-08 23 hours and puts readings either side of midnight in the right day', async () => {
      const body = await daily(NY, '2026-03-07T05:00:00Z', '2026-03-10T04:00:00Z', 'America/New_York');
      const z = 'America/New_York';
      expect(daysOf(body)).toEqual([
        ['2026-03-07', z, iso('2026-03-07T05:00Z'), iso('2026-03-08T05:00Z'), 24, 1],
        ['2026-03-08', z, iso('2026-03-08T05:00Z'), iso('2026-03-09T04:00Z'), 23, 3],
        ['2026-03-09', z, iso('2026-03-09T04:00Z'), iso('2026-03-10T04:00Z'), 24, 1],
      ]);
      expect(body.windows.map((w) => w.values.bpm?.first ?? null)).toEqual([60, 61, 64]);
      expect(body.windows[1]!.values.bpm!.last).toBe(63);
      // Coverage is over the day's real length: 3 minutes of 23 h.
      expect(body.windows[1]!.coverage).toBeCloseTo(3 / (23 * 60), 12);
    });

    it('gives America/New_York 2026-11-01 25 hours with both 01:30s in it and 23:30 EST too', async () => {
      const body = await daily(NY, '2026-11-01T04:00:00Z', '2026-11-03T05:00:00Z', 'America/New_York');
      const z = 'America/New_York';
      expect(daysOf(body)).toEqual([
        ['2026-11-01', z, iso('2026-11-01T04:00Z'), iso('2026-11-02T05:00Z'), 25, 3],
        ['2026-11-02', z, iso('2026-11-02T05:00Z'), iso('2026-11-03T05:00Z'), 24, 1],
      ]);
      expect(body.windows[0]!.values.bpm).toMatchObject({ first: 70, last: 72, min: 70, max: 72 });
      expect(body.windows[1]!.values.bpm).toMatchObject({ first: 73, count: 1 });
    });

    it('gives Asia/Shanghai 24-hour days on both US transition dates, midnight at 16:00 UTC', async () => {
      const z = 'Asia/Shanghai';
      const spring = await daily(SH, '2026-03-07T16:00:00Z', '2026-03-09T16:00:00Z', z);
      expect(daysOf(spring)).toEqual([
        ['2026-03-08', z, iso('2026-03-07T16:00Z'), iso('2026-03-08T16:00Z'), 24, 1],
        ['2026-03-09', z, iso('2026-03-08T16:00Z'), iso('2026-03-09T16:00Z'), 24, 1],
      ]);
      expect(spring.windows.map((w) => w.values.bpm!.mean)).toEqual([80, 81]);
      const fall = await daily(SH, '2026-10-31T16:00:00Z', '2026-11-01T16:00:00Z', z);
      expect(daysOf(fall)).toEqual([
        ['2026-11-01', z, iso('2026-10-31T16:00Z'), iso('2026-11-01T16:00Z'), 24, 1],
      ]);
    });

    it('clips the first and last civil day to the range and reports their real length', async () => {
      const body = await daily(NY, '2026-03-08T12:00:00Z', '2026-03-09T06:00:00Z', 'America/New_York');
      const z = 'America/New_York';
      expect(daysOf(body)).toEqual([
        ['2026-03-08', z, iso('2026-03-08T12:00Z'), iso('2026-03-09T04:00Z'), 16, 1],
        ['2026-03-09', z, iso('2026-03-09T04:00Z'), iso('2026-03-09T06:00Z'), 2, 1],
      ]);
    });

    it('reads the same instants as UTC days when time_zone=UTC', async () => {
      const body = await daily(NY, '2026-03-08T00:00:00Z', '2026-03-10T00:00:00Z', 'UTC');
      expect(daysOf(body)).toEqual([
        ['2026-03-08', 'UTC', iso('2026-03-08T00:00Z'), iso('2026-03-09T00:00Z'), 24, 3],
        ['2026-03-09', 'UTC', iso('2026-03-09T00:00Z'), iso('2026-03-10T00:00Z'), 24, 2],
      ]);
    });
  });

  describe("with the zone from the person's profile", () => {
    let api: TrendsApi;
    beforeAll(async () => {
      api = await startTrendsApi({
        influxUrl: influxd.url,
        database: 'lw_daily_profile',
        accounts: { [BE]: 'Berlin', [MOVER]: 'Mover', [NOBODY]: 'Nobody' },
        now: Date.parse('2026-06-01T00:00:00Z'),
      });
      await api.write([
        // Berlin, spring forward: 2026-03-29 runs 2026-03-28 23:00Z → 22:00Z (23 h).
        hr(BE, '2026-03-28T22:59:59Z', 50), // 23:59:59 CET on 03-28
        hr(BE, '2026-03-28T23:00:00Z', 51), // midnight 03-29
        hr(BE, '2026-03-29T21:59:59Z', 52), // 23:59:59 CEST on 03-29
        hr(BE, '2026-03-29T22:00:00Z', 53), // midnight 03-30
        // Berlin, fall back: 2026-10-25 runs 10-24 22:00Z → 10-25 23:00Z (25 h).
        hr(BE, '2026-10-25T00:30:00Z', 54), // 02:30 CEST
        hr(BE, '2026-10-25T01:30:00Z', 55), // 02:30 CET, the repeated hour
        hr(BE, '2026-10-25T22:59:59Z', 56), // 23:59:59 CET on 10-25
        hr(BE, '2026-10-25T23:00:00Z', 57), // midnight 10-26
        // The mover: New York until 2026-06-10 12:00Z, then Shanghai.
        hr(MOVER, '2026-06-10T11:59:00Z', 90), // 07:59 EDT on 06-10
        hr(MOVER, '2026-06-10T12:01:00Z', 91), // 20:01 CST on 06-10
        hr(MOVER, '2026-06-10T16:00:00Z', 92), // midnight 06-11 in Shanghai
        hr(NOBODY, '2026-06-10T23:59:00Z', 40),
      ]);
      const berlin = await api.send(BE, 'PUT', '/v1/health-profile', { time_zone: 'Europe/Berlin' });
      expect(berlin.json()).toMatchObject({
        time_zone: 'Europe/Berlin',
        // The first zone covers everything before it too.
        time_zone_history: [{ time_zone: 'Europe/Berlin', from: '1970-01-01T00:00:00.000Z' }],
      });
    });
    afterAll(async () => {
      await api?.close();
    });

    const daily = async (as: string, from: string, to: string) => {
      const res = await api.get(as, `/v1/trends/heart_rate?${qs({ from, to, window: 'daily' })}`);
      expect(res.statusCode).toBe(200);
      return res.json() as TrendBody;
    };

    it('gives Europe/Berlin 2026-03-29 23 hours from the profile zone', async () => {
      const body = await daily(BE, '2026-03-27T23:00:00Z', '2026-03-30T22:00:00Z');
      expect(body.time_zone_source).toBe('profile');
      const z = 'Europe/Berlin';
      expect(daysOf(body)).toEqual([
        ['2026-03-28', z, iso('2026-03-27T23:00Z'), iso('2026-03-28T23:00Z'), 24, 1],
        ['2026-03-29', z, iso('2026-03-28T23:00Z'), iso('2026-03-29T22:00Z'), 23, 2],
        ['2026-03-30', z, iso('2026-03-29T22:00Z'), iso('2026-03-30T22:00Z'), 24, 1],
      ]);
      expect(body.windows[1]!.values.bpm).toMatchObject({ first: 51, last: 52 });
    });

    it('gives Europe/Berlin 2026-10-25 25 hours holding both 02:30s', async () => {
      const body = await daily(BE, '2026-10-24T22:00:00Z', '2026-10-26T23:00:00Z');
      const z = 'Europe/Berlin';
      expect(daysOf(body)).toEqual([
        ['2026-10-25', z, iso('2026-10-24T22:00Z'), iso('2026-10-25T23:00Z'), 25, 3],
        ['2026-10-26', z, iso('2026-10-25T23:00Z'), iso('2026-10-26T23:00Z'), 24, 1],
      ]);
      expect(body.windows[0]!.values.bpm).toMatchObject({ first: 54, last: 56, median: 55 });
      expect(body.windows[0]!.coverage).toBeCloseTo(3 / (25 * 60), 12);
    });

    it('lets ?time_zone= override the profile', async () => {
      const res = await api.get(
        BE,
        `/v1/trends/heart_rate?${qs({ from: '2026-10-25T00:00:00Z', to: '2026-10-26T00:00:00Z', window: 'daily', time_zone: 'UTC' })}`,
      );
      const body = res.json() as TrendBody;
      expect(body.time_zone_source).toBe('request');
      // 23:00Z is already 10-26 in Berlin but still 10-25 in UTC.
      expect(daysOf(body)).toEqual([
        ['2026-10-25', 'UTC', iso('2026-10-25T00:00Z'), iso('2026-10-26T00:00Z'), 24, 4],
      ]);
    });

    it('uses UTC days, marked default, for a person with no zone', async () => {
      const body = await daily(NOBODY, '2026-06-10T00:00:00Z', '2026-06-11T00:00:00Z');
      expect(body.time_zone_source).toBe('default');
      expect(daysOf(body)).toEqual([
        ['2026-06-10', 'UTC', iso('2026-06-10T00:00Z'), iso('2026-06-11T00:00Z'), 24, 1],
      ]);
      expect((await api.get(NOBODY, '/v1/health-profile')).json()).toMatchObject({
        time_zone: 'UTC',
        time_zone_history: [],
      });
    });

    it('splits the day of a zone change at the instant the new zone took over (time_zone_from)', async () => {
      const first = await api.send(MOVER, 'PUT', '/v1/health-profile', { time_zone: 'America/New_York' });
      expect(first.statusCode).toBe(200);
      const moved = await api.send(MOVER, 'PUT', '/v1/health-profile', {
        time_zone: 'Asia/Shanghai',
        time_zone_from: '2026-06-10T12:00:00Z',
      });
      expect(moved.json()).toMatchObject({
        time_zone: 'Asia/Shanghai',
        time_zone_history: [
          { time_zone: 'America/New_York', from: '1970-01-01T00:00:00.000Z' },
          { time_zone: 'Asia/Shanghai', from: '2026-06-10T12:00:00.000Z' },
        ],
      });
      const body = await daily(MOVER, '2026-06-09T04:00:00Z', '2026-06-11T16:00:00Z');
      expect(body.time_zone_source).toBe('profile');
      expect(daysOf(body)).toEqual([
        ['2026-06-09', 'America/New_York', iso('2026-06-09T04:00Z'), iso('2026-06-10T04:00Z'), 24, 0],
        ['2026-06-10', 'America/New_York', iso('2026-06-10T04:00Z'), iso('2026-06-10T12:00Z'), 8, 1],
        ['2026-06-10', 'Asia/Shanghai', iso('2026-06-10T12:00Z'), iso('2026-06-10T16:00Z'), 4, 1],
        ['2026-06-11', 'Asia/Shanghai', iso('2026-06-10T16:00Z'), iso('2026-06-11T16:00Z'), 24, 1],
      ]);
      expect(body.windows.map((w) => w.values.bpm?.mean ?? null)).toEqual([null, 90, 91, 92]);
      expect(body.windows[0]!.empty).toBe(true);
      // Fixed windows ignore zones: the same range in 12-hour UTC windows.
      const fixed = await api.get(
        MOVER,
        `/v1/trends/heart_rate?${qs({ from: '2026-06-10T00:00:00Z', to: '2026-06-11T00:00:00Z', window: 'PT12H' })}`,
      );
      const fb = fixed.json() as TrendBody;
      expect(fb.time_zone_source).toBeUndefined();
      expect(fb.windows.map((w) => [w.start, w.hours, w.count, w.date])).toEqual([
        [iso('2026-06-10T00:00Z'), 12, 1, undefined],
        [iso('2026-06-10T12:00Z'), 12, 2, undefined],
      ]);
    });

    it('starts a zone set without time_zone_from at the clock time of the change', async () => {
      api.clock.now = Date.parse('2026-07-01T08:00:00Z');
      const res = await api.send(BE, 'PUT', '/v1/health-profile', { time_zone: 'Asia/Shanghai' });
      expect(res.json().time_zone_history).toEqual([
        { time_zone: 'Europe/Berlin', from: '1970-01-01T00:00:00.000Z' },
        { time_zone: 'Asia/Shanghai', from: '2026-07-01T08:00:00.000Z' },
      ]);
      // Berlin's 2026-10-25 is now a Shanghai day: 24 h from 16:00Z.
      const body = await daily(BE, '2026-10-24T16:00:00Z', '2026-10-25T16:00:00Z');
      expect(daysOf(body)).toEqual([
        ['2026-10-25', 'Asia/Shanghai', iso('2026-10-24T16:00Z'), iso('2026-10-25T16:00Z'), 24, 2],
      ]);
    });
  });
});
