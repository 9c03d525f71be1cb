import { describe, expect, it } from 'vitest';
import { heartRateZones, zoneMinutesPerDay, zoneOf } from './heart-rate-zones.js';
import type { SeriesPoint } from './series.js';

const at = (iso: string) => Date.parse(iso);
const bounds = (z: ReturnType<typeof heartRateZones>) => z.zones.map((b) => [b.lowBpm, b.highBpm]);

describe('heartRateZones', () => {
  it('pct-hrmax with Fox at age 40: HRmax 180, zones from 90 to 180 bpm in 18-bpm steps', () => {
    const z = heartRateZones({ method: 'pct-hrmax', hrMax: 'fox', age: 40 });
    expect(z.hrMax).toEqual({ formula: 'fox', bpm: 180 });
    expect(z.restingBpm).toBeNull();
    expect(bounds(z)).toEqual([
      [90, 108],
      [108, 126],
      [126, 144],
      [144, 162],
      [162, 180],
    ]);
    expect(z.zones.map((b) => [b.zone, b.lowPct, b.highPct])).toEqual([
      [1, 50, 60],
      [2, 60, 70],
      [3, 70, 80],
      [4, 80, 90],
      [5, 90, 100],
    ]);
  });

  it('pct-hrmax with Tanaka at age 30: HRmax 187, zone 1 from 93.5 bpm', () => {
    const z = heartRateZones({ method: 'pct-hrmax', hrMax: 'tanaka', age: 30 });
    expect(z.hrMax.bpm).toBe(187);
    expect(z.zones[0]!.lowBpm).toBe(93.5);
    expect(z.zones[4]!.lowBpm).toBeCloseTo(168.3, 12);
  });

  it('karvonen at age 40 (Fox) with rest 60: 60 + pct × 120, so zone 1 is 120-132 bpm', () => {
    const z = heartRateZones({ method: 'karvonen', hrMax: 'fox', age: 40, restingBpm: 60 });
    expect(z.restingBpm).toBe(60);
    expect(bounds(z)).toEqual([
      [120, 132],
      [132, 144],
      [144, 156],
      [156, 168],
      [168, 180],
    ]);
  });

  it('rejects karvonen without a resting heart rate with API_ERR_VALIDATION', () => {
    expect(() => heartRateZones({ method: 'karvonen', hrMax: 'tanaka', age: 40 })).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: expect.objectContaining({ field: 'resting_bpm', value: null }),
      }),
    );
  });

  it('rejects a resting rate of 180 at HRmax 180 with API_ERR_VALIDATION', () => {
    expect(() => heartRateZones({ method: 'karvonen', hrMax: 'fox', age: 40, restingBpm: 180 })).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: expect.objectContaining({ value: 180 }),
      }),
    );
  });

  it.each([-1, 131, Number.NaN])('rejects age %s with API_ERR_VALIDATION', (age) => {
    expect(() => heartRateZones({ method: 'pct-hrmax', hrMax: 'fox', age })).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: expect.objectContaining({ field: 'age' }),
      }),
    );
  });
});

describe('zoneOf', () => {
  const { zones } = heartRateZones({ method: 'karvonen', hrMax: 'fox', age: 40, restingBpm: 60 });
  it.each([
    [119.99, 'below'],
    [120, 'z1'],
    [131.99, 'z1'],
    [132, 'z2'],
    [156, 'z4'],
    [168, 'z5'],
    [180, 'z5'],
    [195, 'z5'],
  ])('puts %s bpm in %s', (bpm, key) => {
    expect(zoneOf(bpm, zones)).toBe(key);
  });
});

describe('zoneOf at fractional bounds', () => {
  it('puts exactly 60 % and 70 % of Tanaka HRmax 183.5 (age 35) in zones 2 and 3', () => {
    const { zones, hrMax } = heartRateZones({ method: 'pct-hrmax', hrMax: 'tanaka', age: 35 });
    expect(hrMax.bpm).toBe(183.5);
    expect([zoneOf(110.1, zones), zoneOf(128.45, zones), zoneOf(128.44, zones)]).toEqual(['z2', 'z3', 'z2']);
  });
});

describe('zoneMinutesPerDay', () => {
  const zones = heartRateZones({ method: 'pct-hrmax', hrMax: 'fox', age: 40 });

  it('counts a minute with 88 and 92 bpm once, in zone 1 (mean 90), and empty minutes nowhere', () => {
    const hr: SeriesPoint[] = [
      { t: at('2024-05-01T10:00:10Z'), v: 88 },
      { t: at('2024-05-01T10:00:50Z'), v: 92 },
      { t: at('2024-05-01T10:05:00Z'), v: 89.9 },
      { t: at('2024-05-01T10:06:00Z'), v: 150 },
      { t: at('2024-05-01T10:07:00Z'), v: 200 },
    ];
    const range = { fromMs: at('2024-05-01T00:00:00Z'), toMs: at('2024-05-02T00:00:00Z'), zone: 'UTC' };
    expect(zoneMinutesPerDay(hr, range, zones)).toEqual([
      { date: '2024-05-01', zone: 'UTC', minutes: { below: 1, z1: 1, z2: 0, z3: 0, z4: 1, z5: 1 } },
    ]);
  });

  it('files minutes by Europe/Berlin civil day across the 25-hour 2024-10-27 and lists empty days', () => {
    // 2024-10-27 runs 22:00Z (26th) to 23:00Z (27th); 22:30Z on the 27th is 23:30 CET, still the 27th.
    const hr: SeriesPoint[] = [
      { t: at('2024-10-26T21:59:00Z'), v: 100 },
      { t: at('2024-10-26T22:00:00Z'), v: 100 },
      { t: at('2024-10-27T22:30:00Z'), v: 130 },
      { t: at('2024-10-27T23:00:00Z'), v: 170 },
    ];
    const range = {
      fromMs: at('2024-10-25T22:00:00Z'),
      toMs: at('2024-10-29T23:00:00Z'),
      zone: 'Europe/Berlin',
    };
    expect(zoneMinutesPerDay(hr, range, zones).map((d) => [d.date, d.minutes])).toEqual([
      ['2024-10-26', { below: 0, z1: 1, z2: 0, z3: 0, z4: 0, z5: 0 }],
      ['2024-10-27', { below: 0, z1: 1, z2: 0, z3: 1, z4: 0, z5: 0 }],
      ['2024-10-28', { below: 0, z1: 0, z2: 0, z3: 0, z4: 0, z5: 1 }],
      ['2024-10-29', { below: 0, z1: 0, z2: 0, z3: 0, z4: 0, z5: 0 }],
    ]);
  });

  it('files 23:30 EDT on the 23-hour 2024-03-10 under 2024-03-10 in America/New_York', () => {
    const hr: SeriesPoint[] = [{ t: at('2024-03-11T03:30:00Z'), v: 110 }];
    const range = {
      fromMs: at('2024-03-10T05:00:00Z'),
      toMs: at('2024-03-12T04:00:00Z'),
      zone: 'America/New_York',
    };
    expect(zoneMinutesPerDay(hr, range, zones).map((d) => [d.date, d.minutes.z2])).toEqual([
      ['2024-03-10', 1],
      ['2024-03-11', 0],
    ]);
  });

  it('files 00:30 Asia/Shanghai (16:30Z the day before) under the Shanghai date', () => {
    const hr: SeriesPoint[] = [{ t: at('2024-07-01T16:30:00Z'), v: 95 }];
    const range = {
      fromMs: at('2024-06-30T16:00:00Z'),
      toMs: at('2024-07-02T16:00:00Z'),
      zone: 'Asia/Shanghai',
    };
    expect(zoneMinutesPerDay(hr, range, zones).map((d) => [d.date, d.minutes.z1])).toEqual([
      ['2024-07-01', 0],
      ['2024-07-02', 1],
    ]);
  });
});
