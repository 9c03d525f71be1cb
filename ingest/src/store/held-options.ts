import { type HeldReplayDeps, HeldReplayer } from './held-replay.js';
import type { HeldStoreOptions } from './held-store.js';

/** The held-readings settings of `startIngest` (LINKWELL_INGEST_HELD_*, docs/configuration.md). */
export interface HeldOptions extends Pick<HeldStoreOptions, 'maxReadings' | 'maxPerGateway'> {
  /** Held readings older than this are dead-lettered with INGEST_ERR_HELD_EXPIRED. Default 30 days. */
  expiryMs?: number;
  /** Full replay pass (and expiry check) period; changes announced by the registry replay at once. Default 60 000 ms. */
  replayIntervalMs?: number;
}

/** A replayer that passes over every held reading now (start-up) and every `replayIntervalMs`. */
export function startHeldReplay(
  opts: HeldOptions | undefined,
  deps: Omit<HeldReplayDeps, 'expiryMs'>,
): HeldReplayer {
  const replayer = new HeldReplayer({ ...deps, expiryMs: opts?.expiryMs });
  replayer.start(opts?.replayIntervalMs ?? 60_000);
  return replayer;
}
