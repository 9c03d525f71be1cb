import { type Reading, readingId } from '@linkwell/firmware-protocol';

/**
 * A valid, plausible heart-rate reading of `device` relayed by `gw`, distinct per `i` (its raw frame and
 * time differ), with the identity ingest derives its series and timestamp from.
 */
export function heartRateReading(
  gw: string,
  device: string,
  i: number,
  t = Date.UTC(2026, 0, 1) + i * 1000,
): Reading {
  const raw = (0x0048 + (i % 100)).toString(16).padStart(4, '0');
  return {
    id: readingId({ gw, device, slot: null, metric: 'heart_rate', at: t, raw }),
    device,
    slot: null,
    metric: 'heart_rate',
    char: '2a37',
    t,
    rt: t,
    time_source: 'device',
    values: { bpm: 60 + (i % 40) },
    quality: [],
    raw,
    parser: 'sig.heart-rate',
  };
}
