import type { Reading } from '@linkwell/firmware-protocol';
import { BASELINE_METRIC } from '../attribution/baselines.js';

/** The body weights among stored readings, for member baselines. */
export function weightsOf(
  stored: readonly { reading: Reading; account: string }[],
): { account: string; t: number; kg: number }[] {
  const out: { account: string; t: number; kg: number }[] = [];
  for (const s of stored) {
    const kg = s.reading.values.weight;
    if (s.reading.metric === BASELINE_METRIC && typeof kg === 'number')
      out.push({ account: s.account, t: s.reading.t, kg });
  }
  return out;
}
