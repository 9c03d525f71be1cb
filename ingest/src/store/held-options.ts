import { type InboxReplayDeps, InboxReplayer } from '../inbox/inbox-replay.js';
import type { InboxStoreOptions } from '../inbox/inbox-store.js';

/** The held-readings (household inbox) settings of `startIngest` (LINKWELL_INGEST_HELD_*, docs/configuration.md). */
export interface HeldOptions extends Pick<InboxStoreOptions, 'maxReadings' | 'maxPerGateway'> {
  /** Held readings older than this are dead-lettered with INGEST_ERR_HELD_EXPIRED. Default 30 days. */
  expiryMs?: number;
  /** Full replay pass (and expiry check) period; changes announced by the registry replay at once. Default 60 000 ms. */
  replayIntervalMs?: number;
}

/** A replayer that passes over every held reading now (start-up) and every `replayIntervalMs`. */
export function startHeldReplay(
  opts: HeldOptions | undefined,
  deps: Omit<InboxReplayDeps, 'expiryMs'>,
): InboxReplayer {
  const replayer = new InboxReplayer({ ...deps, expiryMs: opts?.expiryMs });
  replayer.start(opts?.replayIntervalMs ?? 60_000);
  return replayer;
}
