import type { Logger } from 'pino';
import type { IngestMetrics } from '../metrics.js';
import type { SqlClient } from '../registry/resolver.js';

/**
 * Gateway tokens carry no token id (api/src/auth/tokens.ts), so revocation is per gateway: the API sets
 * `gateways.revoked_at`, which also hides the gateway's devices from `ingest_device_accounts`.
 */
const QUERY = 'SELECT id FROM gateways WHERE revoked_at IS NOT NULL';

export interface RevocationList {
  isRevoked(gw: string): boolean;
  /**
   * Reads the list again now (the registry read model calls this on a change notification). Resolves once a
   * read that started after the call has finished, successful or not; a failed read keeps the old list.
   */
  refresh(): Promise<void>;
  /** Called with the gateways that became revoked in a refresh (the broker disconnects them). */
  onRevoked(listener: (gateways: string[]) => void): void;
  readonly size: number;
  close(): void;
}

export interface RevocationListOptions {
  /** Default 30 000 ms. */
  refreshMs?: number;
  logger: Logger;
  metrics?: Pick<IngestMetrics, 'revokedGateways' | 'revocationRefreshFailures'>;
}

/**
 * The revoked gateways, read from the registry at start and every `refreshMs`. A failed read keeps the
 * previous list and is logged: tokens are still verified, only revocations newer than the last good read
 * are not seen until the registry answers again.
 */
export async function openRevocationList(
  db: SqlClient,
  opts: RevocationListOptions,
): Promise<RevocationList> {
  let revoked = new Set<string>();
  const listeners: ((gws: string[]) => void)[] = [];
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let closed = false;

  async function load(): Promise<void> {
    let rows: { id: string }[];
    try {
      ({ rows } = await db.query<{ id: string }>(QUERY));
    } catch (err) {
      opts.metrics?.revocationRefreshFailures.inc();
      opts.logger.warn(
        { code: 'INGEST_ERR_REGISTRY_UNAVAILABLE', err: (err as Error).message, kept: revoked.size },
        'revocation list not refreshed; keeping the previous one',
      );
      return;
    }
    const next = new Set(rows.map((r) => r.id));
    const added = [...next].filter((gw) => !revoked.has(gw));
    revoked = next;
    opts.metrics?.revokedGateways.set(next.size);
    if (added.length > 0) for (const l of listeners) l(added);
  }

  // One read at a time; calls during a read share the single read queued after it.
  function refresh(): Promise<void> {
    if (closed) return Promise.resolve();
    if (queued) return queued;
    if (!running) {
      running = load().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued = running.then(() => {
      queued = undefined;
      return refresh();
    });
    return queued;
  }

  await refresh();
  const timer = setInterval(() => void refresh(), opts.refreshMs ?? 30_000);
  timer.unref();

  return {
    isRevoked: (gw) => revoked.has(gw),
    refresh,
    onRevoked(listener) {
      listeners.push(listener);
    },
    get size() {
      return revoked.size;
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
