import type { DeviceFeature } from './types.js';

export interface HistoryOptions {
  /** A device-stamped reading this much older than the connection is history. Default 2 s (whole-second stamps). */
  graceMs?: number;
  /** Reading ids remembered to drop a replay of what was already taken. Default 4096. */
  remember?: number;
}

/**
 * History sync classification. A reading with a device (or corrected) time stamp older than the moment its
 * link came up was stored on the device and replayed, and gets the quality flag `history`; live readings
 * and those stamped by the gateway do not. A replay of a reading already taken (the device missed our
 * confirmation and sends it again) has the same id, because the id hashes gateway, device, slot, metric,
 * time and raw frame and the time correction is remembered per device; the gateway drops such a repeat
 * here, and ingest would overwrite the same point anyway, so nothing is imported twice.
 */
export function historyFeature(opts: HistoryOptions = {}): DeviceFeature {
  const grace = opts.graceMs ?? 2000;
  const remember = opts.remember ?? 4096;
  const seen = new Set<string>();
  return {
    name: 'history',
    async prepare(s) {
      s.addTransform((r) =>
        r.time_source !== 'gateway' && r.t < s.connectedAt - grace && !r.quality.includes('history')
          ? { ...r, quality: [...r.quality, 'history'] }
          : r,
      );
      s.addFilter((r) => {
        if (seen.has(r.id)) return false;
        seen.add(r.id);
        if (seen.size > remember) seen.delete(seen.values().next().value as string);
        return true;
      });
    },
  };
}
