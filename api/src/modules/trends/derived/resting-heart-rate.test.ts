import { describe, expect, it } from 'vitest';
import { parseRestingMethod, restingHeartRate } from './resting-heart-rate.js';
import type { DayRange, SeriesPoint } from './series.js';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

/** One reading per minute from `startIso`, one per value. */
function minutes(startIso: string, values: readonly number[]): SeriesPoint[] {
  return values.map((v, i) => ({ t: at(startIso) + i * MIN, v, source: 'band' }));
}
const repeat = (v: number, n: number) => Array.from({ length: n }, () => v);

const utcDay = (date: string): DayRange => ({
  fromMs: at(`${date}T00:00:00Z`),
  toMs: at(`${date}T00:00:00Z`) + 86_400_000,
  zone: 'UTC',
});

describe('restingHeartRate sustained-still', () => {
  it('picks the 10-minute run at 55 bpm over a lower but restless run (44/56 alternating, spread 12)', () => {
    const hr = [
      ...minutes('2024-05-01T02:00:00Z', repeat(55, 10)),
      ...minutes('2024-05-01T03:00:00Z', [44, 56, 44, 56, 44, 56, 44, 56, 44, 56]),
      ...minutes('2024-05-01T04:00:00Z', repeat(70, 30)),
    ];
    const [day] = restingHeartRate({ heartRate: hr }, utcDay('2024-05-01'), { method: 'sustained-still' });
    expect(day).toEqual({
      date: '2024-05-01',
      zone: 'UTC',
      bpm: 55,
      method: 'sustained-still',
      inputs: {
        method: 'sustained-still',
        windowMinutes: 10,
        stillSpreadBpm: 10,
        startMs: at('2024-05-01T02:00:00Z'),
        endMs: at('2024-05-01T02:10:00Z'),
        spreadBpm: 0,
        stillRuns: 22,
      },
    });
  });

  it('counts a spread of exactly 10 bpm as still and 10.5 as not', () => {
    const still = restingHeartRate(
      { heartRate: minutes('2024-05-01T02:00:00Z', [50, 60, 50, 60, 50]) },
      utcDay('2024-05-01'),
      { method: 'sustained-still', windowMinutes: 5 },
    );
    expect(still.map((d) => d.bpm)).toEqual([54]);
    const restless = restingHeartRate(
      { heartRate: minutes('2024-05-01T02:00:00Z', [50, 60.5, 50, 60.5, 50]) },
      utcDay('2024-05-01'),
      { method: 'sustained-still', windowMinutes: 5 },
    );
    expect(restless).toEqual([]);
  });

  it('needs every minute of the run: 9 minutes at 48, a gap, then 48 again is no 10-minute run', () => {
    const hr = [
      ...minutes('2024-05-01T02:00:00Z', repeat(48, 9)),
      ...minutes('2024-05-01T02:10:00Z', repeat(48, 9)),
      ...minutes('2024-05-01T05:00:00Z', repeat(62, 10)),
    ];
    const [ten] = restingHeartRate({ heartRate: hr }, utcDay('2024-05-01'), { method: 'sustained-still' });
    expect(ten?.bpm).toBe(62);
    const [five] = restingHeartRate({ heartRate: hr }, utcDay('2024-05-01'), {
      method: 'sustained-still',
      windowMinutes: 5,
    });
    expect(five?.bpm).toBe(48);
  });

  it('uses the mean of several readings in one minute (50 and 60 count once, as 55)', () => {
    const hr = minutes('2024-05-01T02:00:00Z', repeat(58, 5));
    hr.splice(2, 1, { t: at('2024-05-01T02:02:10Z'), v: 50 }, { t: at('2024-05-01T02:02:40Z'), v: 60 });
    const [day] = restingHeartRate({ heartRate: hr }, utcDay('2024-05-01'), {
      method: 'sustained-still',
      windowMinutes: 5,
    });
    expect(day?.bpm).toBeCloseTo((58 * 4 + 55) / 5, 12);
  });

  it('does not join a run across local midnight in Europe/Berlin', () => {
    // 23:55-00:04 CEST on 2024-05-01/02 is 21:55Z-22:04Z.
    const hr = minutes('2024-05-01T21:55:00Z', repeat(50, 10));
    const range = {
      fromMs: at('2024-04-30T22:00:00Z'),
      toMs: at('2024-05-02T22:00:00Z'),
      zone: 'Europe/Berlin',
    };
    expect(restingHeartRate({ heartRate: hr }, range, { method: 'sustained-still' })).toEqual([]);
    expect(
      restingHeartRate({ heartRate: hr }, range, { method: 'sustained-still', windowMinutes: 5 }).map((d) => [
        d.date,
        d.bpm,
      ]),
    ).toEqual([
      ['2024-05-01', 50],
      ['2024-05-02', 50],
    ]);
  });

  it('files a run at 23:30 EDT on the 23-hour 2024-03-10 under that date in America/New_York', () => {
    const hr = minutes('2024-03-11T03:30:00Z', repeat(52, 10));
    const range = {
      fromMs: at('2024-03-10T05:00:00Z'),
      toMs: at('2024-03-12T04:00:00Z'),
      zone: 'America/New_York',
    };
    expect(
      restingHeartRate({ heartRate: hr }, range, { method: 'sustained-still' }).map((d) => d.date),
    ).toEqual(['2024-03-10']);
  });

  it('files a run at 07:00 Asia/Shanghai (23:00Z the day before) under the Shanghai date', () => {
    const hr = minutes('2024-07-01T23:00:00Z', repeat(57, 10));
    const range = {
      fromMs: at('2024-06-30T16:00:00Z'),
      toMs: at('2024-07-02T16:00:00Z'),
      zone: 'Asia/Shanghai',
    };
    expect(
      restingHeartRate({ heartRate: hr }, range, { method: 'sustained-still' }).map((d) => [d.date, d.zone]),
    ).toEqual([['2024-07-02', 'Asia/Shanghai']]);
  });

  it.each([4, 31, 7.5])('rejects a %s-minute window with API_ERR_VALIDATION', (w) => {
    expect(() => restingHeartRate({}, utcDay('2024-05-01'), { windowMinutes: w })).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: expect.objectContaining({ field: 'querystring.window_minutes', value: w }),
      }),
    );
  });

  it('accepts the 5- and 30-minute bounds', () => {
    const hr = minutes('2024-05-01T02:00:00Z', repeat(60, 30));
    for (const w of [5, 30]) {
      expect(
        restingHeartRate({ heartRate: hr }, utcDay('2024-05-01'), {
          method: 'sustained-still',
          windowMinutes: w,
        }),
      ).toHaveLength(1);
    }
  });
});

describe('restingHeartRate spot and device-reported', () => {
  const spot: SeriesPoint[] = [
    { t: at('2024-05-01T07:00:00Z'), v: 66, source: 'cuff' },
    { t: at('2024-05-01T19:00:00Z'), v: 61, source: 'scale' },
    { t: at('2024-05-01T21:00:00Z'), v: 64, source: 'cuff' },
  ];
  const device: SeriesPoint[] = [
    { t: at('2024-05-01T06:00:00Z'), v: 58, source: 'band' },
    { t: at('2024-05-01T23:00:00Z'), v: 57, source: 'band' },
  ];

  it("takes the day's lowest spot pulse (61 from the scale)", () => {
    expect(restingHeartRate({ spot }, utcDay('2024-05-01'), { method: 'spot' })).toEqual([
      {
        date: '2024-05-01',
        zone: 'UTC',
        bpm: 61,
        method: 'spot',
        inputs: { method: 'spot', t: at('2024-05-01T19:00:00Z'), source: 'scale', readings: 3 },
      },
    ]);
  });

  it("takes the day's last device-reported value (57 at 23:00), not the lowest", () => {
    const [day] = restingHeartRate(
      { deviceResting: [...device, { t: at('2024-05-01T12:00:00Z'), v: 50 }].sort((a, b) => a.t - b.t) },
      utcDay('2024-05-01'),
      {
        method: 'device-reported',
      },
    );
    expect(day?.bpm).toBe(57);
    expect(day?.inputs).toEqual({
      method: 'device-reported',
      t: at('2024-05-01T23:00:00Z'),
      source: 'band',
      readings: 3,
    });
  });
});

describe('restingHeartRate auto', () => {
  it('chooses device-reported, else sustained-still, else spot, day by day', () => {
    const range = { fromMs: at('2024-05-01T00:00:00Z'), toMs: at('2024-05-04T00:00:00Z'), zone: 'UTC' };
    const input = {
      deviceResting: [{ t: at('2024-05-01T23:00:00Z'), v: 56 }],
      heartRate: [
        ...minutes('2024-05-01T03:00:00Z', repeat(50, 10)),
        ...minutes('2024-05-02T03:00:00Z', repeat(53, 10)),
      ],
      spot: [
        { t: at('2024-05-02T08:00:00Z'), v: 49 },
        { t: at('2024-05-03T08:00:00Z'), v: 63 },
      ],
    };
    expect(restingHeartRate(input, range).map((d) => [d.date, d.method, d.bpm])).toEqual([
      ['2024-05-01', 'device-reported', 56],
      ['2024-05-02', 'sustained-still', 53],
      ['2024-05-03', 'spot', 63],
    ]);
  });

  it('leaves out a day with nothing to go on', () => {
    const range = { fromMs: at('2024-05-01T00:00:00Z'), toMs: at('2024-05-03T00:00:00Z'), zone: 'UTC' };
    expect(
      restingHeartRate({ spot: [{ t: at('2024-05-02T08:00:00Z'), v: 60 }] }, range).map((d) => d.date),
    ).toEqual(['2024-05-02']);
  });
});

describe('parseRestingMethod', () => {
  it('defaults to auto and accepts each method id', () => {
    expect(parseRestingMethod(undefined)).toBe('auto');
    expect(parseRestingMethod('sustained-still')).toBe('sustained-still');
  });

  it('rejects "resting" with API_ERR_VALIDATION', () => {
    expect(() => parseRestingMethod('resting')).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: {
          field: 'querystring.method',
          issues: [
            {
              field: 'querystring.method',
              problem: 'expected one of auto, sustained-still, spot, device-reported',
            },
          ],
          value: 'resting',
        },
      }),
    );
  });
});
