import type { Logger } from 'pino';

/**
 * Warnings an attacker can trigger at line rate (refused CONNECTs, oversize packets, ACL denials): the first
 * of each code per interval is logged, the rest are counted and reported with the next one that is logged.
 * Metrics still count every event.
 */
export function throttledWarn(logger: Logger, intervalMs = 1000, now: () => number = Date.now) {
  const state = new Map<string, { until: number; suppressed: number }>();
  return (code: string, fields: Record<string, unknown>, msg: string): void => {
    const t = now();
    const s = state.get(code);
    if (s && t < s.until) {
      s.suppressed += 1;
      return;
    }
    const suppressed = s?.suppressed ?? 0;
    state.set(code, { until: t + intervalMs, suppressed: 0 });
    logger.warn({ code, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
  };
}

export type ThrottledWarn = ReturnType<typeof throttledWarn>;
