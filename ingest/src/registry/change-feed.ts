import type { Logger } from 'pino';
import type { SqlClient } from './resolver.js';

/** The channel migration 0003 (api/src/db/migrations/0003_registry_changes.ts) notifies on. */
export const REGISTRY_CHANNEL = 'linkwell_registry';

export interface RegistryChange {
  household: string | null;
  /** The household's gateways; null when every cached gateway must be re-read. */
  gateways: string[] | null;
}

export interface ChangeFeedOptions {
  logger: Logger;
  onChange: (change: RegistryChange) => void;
  /** Called when listening (re)starts after a loss: notifications may have been missed meanwhile. */
  onResync: () => void;
  /** Called when listening fails or the connection is lost. */
  onFailure?: (err: Error) => void;
  /** Wait before listening again after a failure. Default 5000 ms. */
  retryMs?: number;
}

export interface ChangeFeed {
  /** False when the registry client cannot LISTEN (then only the periodic refresh notices changes). */
  readonly supported: boolean;
  readonly listening: boolean;
  close(): Promise<void>;
}

/** A payload that does not parse is treated as "anything may have changed", never ignored. */
export function parseRegistryChange(payload: string): RegistryChange {
  try {
    const p = JSON.parse(payload) as { household?: unknown; gateways?: unknown };
    const gateways =
      Array.isArray(p.gateways) && p.gateways.every((g) => typeof g === 'string')
        ? (p.gateways as string[])
        : null;
    return { household: typeof p.household === 'string' ? p.household : null, gateways };
  } catch {
    return { household: null, gateways: null };
  }
}

/**
 * LISTENs on `linkwell_registry` when the registry client can (PGlite in-process; PostgreSQL through a
 * dedicated connection) and keeps listening: a lost connection is retried every `retryMs`, and each
 * successful re-listen calls `onResync` because changes made while deaf were never announced.
 */
export async function startChangeFeed(db: SqlClient, opts: ChangeFeedOptions): Promise<ChangeFeed> {
  const listen = db.listen?.bind(db);
  if (!listen) {
    opts.logger.info('registry client cannot LISTEN; registry changes are noticed by the periodic refresh');
    return { supported: false, listening: false, close: async () => {} };
  }
  const retryMs = opts.retryMs ?? 5000;
  let unlisten: (() => Promise<void>) | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let attempt = 0;

  const failed = (err: Error) => {
    unlisten = undefined;
    if (closed) return;
    opts.onFailure?.(err);
    opts.logger.warn(
      { code: 'INGEST_ERR_REGISTRY_UNAVAILABLE', err: err.message, retryMs },
      'registry change feed lost; listening again later',
    );
    retry = setTimeout(() => void subscribe(), retryMs);
    retry.unref();
  };

  async function subscribe(): Promise<void> {
    const n = ++attempt;
    try {
      const stop = await listen!(REGISTRY_CHANNEL, (p) => opts.onChange(parseRegistryChange(p)), failed);
      if (closed) {
        await stop();
        return;
      }
      unlisten = stop;
      if (n > 1) opts.onResync();
    } catch (err) {
      failed(err as Error);
    }
  }

  await subscribe();
  return {
    supported: true,
    get listening() {
      return unlisten !== undefined;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await unlisten?.();
      unlisten = undefined;
    },
  };
}
