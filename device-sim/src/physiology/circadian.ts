export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Local hour of day in [0, 24) for an instant and a zone offset east of UTC. */
export function localHour(atMs: number, utcOffsetMinutes = 0): number {
  const local = atMs + utcOffsetMinutes * MINUTE_MS;
  return (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** A daily cosine swing in [-1, 1] peaking at `peakHour` local time (its trough is 12 h later). */
export function circadian(atMs: number, peakHour: number, utcOffsetMinutes = 0): number {
  return Math.cos(((localHour(atMs, utcOffsetMinutes) - peakHour) / 24) * 2 * Math.PI);
}

/** True between `fromHour` and `toHour` local time, a window that may wrap past midnight. */
export function withinHours(atMs: number, fromHour: number, toHour: number, utcOffsetMinutes = 0): boolean {
  const h = localHour(atMs, utcOffsetMinutes);
  return fromHour <= toHour ? h >= fromHour && h < toHour : h >= fromHour || h < toHour;
}

/** The first instant at or after `atMs` whose local hour is outside [fromHour, toHour). */
export function nextOutside(atMs: number, fromHour: number, toHour: number, utcOffsetMinutes = 0): number {
  if (!withinHours(atMs, fromHour, toHour, utcOffsetMinutes)) return atMs;
  const h = localHour(atMs, utcOffsetMinutes);
  const hoursLeft = (toHour - h + 24) % 24;
  return atMs + Math.ceil(hoursLeft * HOUR_MS);
}
