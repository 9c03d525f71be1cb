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

// Offsets per zone and instant, memoised: luxon asks Intl.DateTimeFormat#formatToParts, which costs several
// microseconds, and a year of daily windows asks about the same few hundred midnights on every request.
const offsets = new Map<string, Map<number, number>>();
const MAX_CACHED = 200_000;

/** The zone's UTC offset at `ms`, in ms (luxon IANAZone#offset, from the runtime's tz database). */
export function offsetAt(zone: string, ms: number): number {
  let m = offsets.get(zone);
  if (m === undefined) {
    m = new Map();
    offsets.set(zone, m);
  }
  let o = m.get(ms);
  if (o === undefined) {
    o = IANAZone.create(zone).offset(ms) * 60_000;
    if (m.size >= MAX_CACHED) m.clear();
    m.set(ms, o);
  }
  return o;
}

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

function localDateOf(ms: number, zone: string): LocalDate {
  const local = new Date(ms + offsetAt(zone, ms));
  return { y: local.getUTCFullYear(), m: local.getUTCMonth() + 1, d: local.getUTCDate() };
}

function nextDate({ y, m, d }: LocalDate): LocalDate {
  const n = new Date(Date.UTC(y, m - 1, d + 1));
  return { y: n.getUTCFullYear(), m: n.getUTCMonth() + 1, d: n.getUTCDate() };
}

const isoDate = ({ y, m, d }: LocalDate) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/**
 * The instant a local date begins in `zone`: local midnight, found by the usual two-pass offset guess. When
 * midnight itself does not exist (a DST gap at midnight), luxon's startOf('day') decides, as before.
 */
export function dayStart(date: LocalDate, zone: string): number {
  const local = Date.UTC(date.y, date.m - 1, date.d);
  const o1 = offsetAt(zone, local);
  const t1 = local - o1;
  const o2 = offsetAt(zone, t1);
  if (o2 === o1) return t1;
  const t2 = local - o2;
  if (offsetAt(zone, t2) === o2) return t2;
  return DateTime.fromObject({ year: date.y, month: date.m, day: date.d }, { zone })
    .startOf('day')
    .toMillis();
}

/**
 * The civil days overlapping [fromMs, toMs) in one zone. Each day runs from local midnight to the next
 * day's start, so days across a DST change are 23 or 25 hours. The first and last day are clipped to the
 * range.
 */
export function civilDaysIn(fromMs: number, toMs: number, zone: string): CivilDay[] {
  const days: CivilDay[] = [];
  let date = localDateOf(fromMs, zone);
  let start = dayStart(date, zone);
  while (start < toMs) {
    const next = nextDate(date);
    const end = dayStart(next, zone);
    const startMs = Math.max(start, fromMs);
    const endMs = Math.min(end, toMs);
    if (endMs > startMs) days.push({ date: isoDate(date), zone, startMs, endMs });
    date = next;
    start = end;
  }
  return days;
}

/** Whether [startMs, endMs) is exactly the civil day `date` (YYYY-MM-DD) in `zone`. */
export function isWholeCivilDay(date: string, zone: string, startMs: number, endMs: number): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = { y, m, d };
  return dayStart(day, zone) === startMs && dayStart(nextDate(day), zone) === endMs;
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
