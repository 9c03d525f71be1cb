import { RETRY_DELAYS_MS } from '../../shared/webhook-retry.js';

/** When to try a message again: api/src/shared/webhook-retry.ts. */
export { RETRY_DELAYS_MS };

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
