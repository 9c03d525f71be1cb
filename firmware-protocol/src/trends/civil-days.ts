import { DateTime, IANAZone } from 'luxon';

/** True for a time-zone name the runtime's IANA database knows (e.g. `Asia/Shanghai`, `UTC`). */
export function isTimeZone(name: string): boolean {
  return name.length > 0 && name.length <= 64 && IANAZone.isValidZone(name);
}

/** One civil day of a person: [startMs, endMs) in UTC, 23, 24 or 25 hours long across DST changes. */
export interface CivilDay {
  /** ISO calendar date in `zone`, e.g. 2026-03-08. */
  date: string;
  zone: string;
  startMs: number;
  endMs: number;
}

/** A time zone in force from `fromMs` (inclusive) until the next entry's `fromMs`. */
export interface ZoneSpan {
  zone: string;
  fromMs: number;
}

function dayOf(ms: number, zone: string): DateTime {
  return DateTime.fromMillis(ms, { zone }).startOf('day');
}

/**
 * The civil days overlapping [fromMs, toMs) in one zone. Each day runs from local midnight (or the first
 * instant of the day, when a DST change skips midnight) to the next day's start, so days across a change
 * are 23 or 25 hours (luxon resolves the local times: moment.github.io/luxon "Zones" / DST handling).
 * The first and last day are clipped to the range.
 */
export function civilDaysIn(fromMs: number, toMs: number, zone: string): CivilDay[] {
  const days: CivilDay[] = [];
  let day = dayOf(fromMs, zone);
  while (day.toMillis() < toMs) {
    const next = day.plus({ days: 1 }).startOf('day');
    const startMs = Math.max(day.toMillis(), fromMs);
    const endMs = Math.min(next.toMillis(), toMs);
    if (endMs > startMs) days.push({ date: day.toISODate()!, zone, startMs, endMs });
    day = next;
  }
  return days;
}

/**
 * Civil days of a person whose zone changed over time: each span's days, clipped at the change, so the day
 * of a move ends at the instant the new zone takes over and the new zone's day starts there.
 * `spans` are sorted by fromMs; before the first span the first span's zone applies.
 */
export function civilDays(fromMs: number, toMs: number, spans: readonly ZoneSpan[]): CivilDay[] {
  if (spans.length === 0) throw new RangeError('at least one zone span');
  const out: CivilDay[] = [];
  for (let i = 0; i < spans.length; i++) {
    const start = i === 0 ? fromMs : Math.max(fromMs, spans[i]!.fromMs);
    const end = i + 1 < spans.length ? Math.min(toMs, spans[i + 1]!.fromMs) : toMs;
    if (end > start) out.push(...civilDaysIn(start, end, spans[i]!.zone));
  }
  return out;
}

/** The zone in force at `ms`. */
export function zoneAt(ms: number, spans: readonly ZoneSpan[]): string {
  let zone = spans[0]!.zone;
  for (const s of spans) if (s.fromMs <= ms) zone = s.zone;
  return zone;
}
