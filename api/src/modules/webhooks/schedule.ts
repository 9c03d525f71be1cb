/**
 * When to try a message again. The delays follow the example schedule of Standard Webhooks v1.0.0
 * ("Retry schedule": immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h), which adds up to
 * 75 h 35 min 5 s: more than the 72 h issue 15 promises a receiver to come back within.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];

/** Attempts a message gets before its endpoint is disabled: the first one plus one per delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/**
 * Up to +10 %: spreads retries of many messages that failed together, so a recovering receiver is not
 * stampeded. Only ever added, so the schedule never shrinks below the 75 h it promises.
 */
export const JITTER = 0.1;

/**
 * The time of the next attempt after `failedAttempts` failures (1 = the first attempt failed), or null when
 * the schedule is exhausted. `random` returns [0, 1) and is injected so tests can pin the jitter.
 */
export function nextAttemptAt(failedAttempts: number, nowMs: number, random: () => number): number | null {
  const base = RETRY_DELAYS_MS[failedAttempts - 1];
  if (base === undefined) return null;
  const factor = 1 + JITTER * random();
  return nowMs + Math.round(base * factor);
}
