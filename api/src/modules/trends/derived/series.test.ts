import { describe, expect, it } from 'vitest';
import { daysOf, groupByDay, minuteMeans } from './series.js';

const at = (iso: string) => Date.parse(iso);

describe('minuteMeans', () => {
  it('averages 60 and 70 bpm read in one minute to 65 and leaves the empty minute out', () => {
    expect(
      minuteMeans([
        { t: at('2024-05-01T08:00:05Z'), v: 60 },
        { t: at('2024-05-01T08:00:55Z'), v: 70 },
        { t: at('2024-05-01T08:02:00Z'), v: 80 },
      ]),
    ).toEqual([
      { t: at('2024-05-01T08:00:00Z'), v: 65 },
      { t: at('2024-05-01T08:02:00Z'), v: 80 },
    ]);
  });
});

describe('groupByDay across DST and zones', () => {
  it('gives America/New_York 2024-03-10 23 hours and puts 23:30 EDT in it', () => {
    const days = daysOf({
      fromMs: at('2024-03-10T05:00:00Z'),
      toMs: at('2024-03-12T04:00:00Z'),
      zone: 'America/New_York',
    });
    expect(days.map((d) => [d.date, (d.endMs - d.startMs) / 3_600_000])).toEqual([
      ['2024-03-10', 23],
      ['2024-03-11', 24],
    ]);
    // 23:30 EDT on the 10th is 03:30Z on the 11th; 00:30 EDT on the 11th is 04:30Z.
    const groups = groupByDay(
      [
        { t: at('2024-03-11T03:30:00Z'), v: 1 },
        { t: at('2024-03-11T04:30:00Z'), v: 2 },
      ],
      days,
    );
    expect(groups.map((g) => g.map((p) => p.v))).toEqual([[1], [2]]);
  });

  it('gives America/New_York 2024-11-03 25 hours', () => {
    const days = daysOf({
      fromMs: at('2024-11-03T04:00:00Z'),
      toMs: at('2024-11-04T05:00:00Z'),
      zone: 'America/New_York',
    });
    expect(days.map((d) => [d.date, d.startMs, d.endMs])).toEqual([
      ['2024-11-03', at('2024-11-03T04:00:00Z'), at('2024-11-04T05:00:00Z')],
    ]);
  });

  it('gives Europe/Berlin 2024-10-27 25 hours, from 22:00Z to 23:00Z', () => {
    const days = daysOf({
      fromMs: at('2024-10-26T22:00:00Z'),
      toMs: at('2024-10-28T23:00:00Z'),
      zone: 'Europe/Berlin',
    });
    expect(days.map((d) => [d.date, d.startMs, d.endMs])).toEqual([
      ['2024-10-27', at('2024-10-26T22:00:00Z'), at('2024-10-27T23:00:00Z')],
      ['2024-10-28', at('2024-10-27T23:00:00Z'), at('2024-10-28T23:00:00Z')],
    ]);
  });

  it('cuts Asia/Shanghai days at 16:00Z all year (no DST)', () => {
    const days = daysOf({
      fromMs: at('2024-07-01T16:00:00Z'),
      toMs: at('2024-07-02T16:00:00Z'),
      zone: 'Asia/Shanghai',
    });
    const groups = groupByDay(
      [
        { t: at('2024-07-01T15:59:59Z'), v: 0 },
        { t: at('2024-07-01T16:00:00Z'), v: 1 },
        { t: at('2024-07-02T15:59:59Z'), v: 2 },
        { t: at('2024-07-02T16:00:00Z'), v: 3 },
      ],
      days,
    );
    expect(days.map((d) => d.date)).toEqual(['2024-07-02']);
    expect(groups.map((g) => g.map((p) => p.v))).toEqual([[1, 2]]);
  });

  it('ends the Berlin day at a move to Shanghai and starts a Shanghai day there', () => {
    const move = at('2024-07-01T10:00:00Z');
    const days = daysOf({
      fromMs: at('2024-06-30T22:00:00Z'),
      toMs: at('2024-07-02T16:00:00Z'),
      zone: [
        { zone: 'Europe/Berlin', fromMs: 0 },
        { zone: 'Asia/Shanghai', fromMs: move },
      ],
    });
    expect(days.map((d) => [d.date, d.zone, d.startMs, d.endMs])).toEqual([
      ['2024-07-01', 'Europe/Berlin', at('2024-06-30T22:00:00Z'), move],
      ['2024-07-01', 'Asia/Shanghai', move, at('2024-07-01T16:00:00Z')],
      ['2024-07-02', 'Asia/Shanghai', at('2024-07-01T16:00:00Z'), at('2024-07-02T16:00:00Z')],
    ]);
  });
});
