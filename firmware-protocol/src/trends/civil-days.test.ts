import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { civilDays, civilDaysIn, isTimeZone, isWholeCivilDay } from './civil-days.js';

/** The straightforward luxon version the fast one replaces: startOf('day') and plus({ days: 1 }). */
function reference(fromMs: number, toMs: number, zone: string) {
  const out: { date: string; startMs: number; endMs: number }[] = [];
  let day = DateTime.fromMillis(fromMs, { zone }).startOf('day');
  while (day.toMillis() < toMs) {
    const next = day.plus({ days: 1 }).startOf('day');
    const startMs = Math.max(day.toMillis(), fromMs);
    const endMs = Math.min(next.toMillis(), toMs);
    if (endMs > startMs) out.push({ date: day.toISODate()!, startMs, endMs });
    day = next;
  }
  return out;
}

const HOUR = 3_600_000;
const hours = (zone: string, date: string) =>
  civilDaysIn(
    Date.parse(`${date}T00:00:00Z`) - 30 * HOUR,
    Date.parse(`${date}T00:00:00Z`) + 54 * HOUR,
    zone,
  ).find((d) => d.date === date)!;

describe('civil days', () => {
  it.each([
    // IANA tzdata: US DST 2026 starts 8 March, ends 1 November; EU 29 March and 25 October; China has no DST.
    ['America/New_York', '2026-03-08', 23],
    ['America/New_York', '2026-11-01', 25],
    ['Europe/Berlin', '2026-03-29', 23],
    ['Europe/Berlin', '2026-10-25', 25],
    ['Asia/Shanghai', '2026-03-29', 24],
    // Lord Howe shifts by 30 minutes (tzdata): its DST days are 23.5 and 24.5 hours.
    ['Australia/Lord_Howe', '2026-04-05', 24.5],
  ])('%s %s lasts %d hours', (zone, date, expected) => {
    const d = hours(zone, date);
    expect((d.endMs - d.startMs) / HOUR).toBe(expected);
    expect(isWholeCivilDay(date, zone, d.startMs, d.endMs)).toBe(true);
    expect(isWholeCivilDay(date, zone, d.startMs + 1, d.endMs)).toBe(false);
  });

  it('equals the plain luxon computation over random ranges and zones', () => {
    const zones = [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Asia/Shanghai',
      'Asia/Kolkata',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'America/Santiago',
      'Pacific/Apia',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.integer({ min: 1, max: 60 * 24 * HOUR }),
        (zone, from, length) => {
          const fast = civilDaysIn(from, from + length, zone).map(({ date, startMs, endMs }) => ({
            date,
            startMs,
            endMs,
          }));
          expect(fast).toEqual(reference(from, from + length, zone));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cuts the day of a zone change at the change', () => {
    const move = Date.UTC(2026, 2, 15, 9, 30);
    const days = civilDays(Date.UTC(2026, 2, 14), Date.UTC(2026, 2, 17), [
      { zone: 'Asia/Kolkata', fromMs: 0 },
      { zone: 'America/New_York', fromMs: move },
    ]);
    const cut = days.filter((d) => d.startMs === move || d.endMs === move);
    expect(cut.map((d) => [d.zone, d.date])).toEqual([
      ['Asia/Kolkata', '2026-03-15'],
      ['America/New_York', '2026-03-15'],
    ]);
  });

  it('knows IANA names and refuses others', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone("UTC' OR 1=1")).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
