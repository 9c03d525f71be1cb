/** UTC days as whole numbers since 1970-01-01, so day arithmetic in the trait functions is integer arithmetic. */
const DAY_MS = 86_400_000;

export const dayOfMs = (ms: number): number => Math.floor(ms / DAY_MS);

/** '2026-12-01' → its day number; the activity table stores UTC dates. */
export const dayOfDate = (iso: string): number => dayOfMs(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`));

export const dateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

export const msOfDay = (day: number): number => day * DAY_MS;

/** Whether `day` is one of the `window` days ending on `today` (today − window + 1 … today). */
export const within = (day: number, today: number, window: number): boolean =>
  day <= today && day > today - window;
