export interface RetryPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** Ceiling for the doubling delay. */
  maxMs: number;
}

/**
 * Delay before retry `attempt` (1-based): initialMs doubled per attempt, capped at maxMs, then spread by
 * ±20 % so a fleet that lost the same broker does not come back in lock-step.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(base * (0.8 + 0.4 * random()));
}
