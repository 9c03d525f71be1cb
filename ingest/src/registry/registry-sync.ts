import type { Logger } from 'pino';
import type { IngestMetrics } from '../metrics.js';
import { type ChangeFeed, startChangeFeed } from './change-feed.js';
import {
  createRegistryReadModel,
  type RegistryReadModel,
  type RegistryReadModelOptions,
} from './read-model.js';
import type { SqlClient } from './resolver.js';

export interface RegistrySyncOptions {
  logger: Logger;
  metrics?: Pick<IngestMetrics, 'registryNotifications' | 'registryRefreshFailures' | 'registryGateways'>;
  /** Re-read of every cached gateway, the safety net for missed notifications. Default 60 000 ms. */
  refreshIntervalMs?: number;
  /** Wait before listening again after the LISTEN connection was lost. Default 5000 ms. */
  listenRetryMs?: number;
  readModel?: RegistryReadModelOptions;
}

/** Gateways whose entries changed; null when any of them may have. */
export type RegistryChangeListener = (gateways: string[] | null) => void;

export interface RegistrySync {
  resolver: RegistryReadModel;
  /** Called after the read model dropped the changed gateways' entries (e.g. to replay held readings). */
  onChange(listener: RegistryChangeListener): void;
  /** True while a LISTEN is in place. */
  readonly listening: boolean;
  /** The periodic refresh, now: resolves with the gateways whose entries changed. */
  refresh(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Keeps the registry read model current: change notifications invalidate the gateways they name at once,
 * a lost LISTEN invalidates everything when it comes back, and a periodic refresh re-reads every cached
 * gateway in case a notification was missed anyway.
 */
export async function startRegistrySync(db: SqlClient, opts: RegistrySyncOptions): Promise<RegistrySync> {
  const resolver = createRegistryReadModel(db, {
    ...opts.readModel,
    onSize: (n) => {
      opts.metrics?.registryGateways.set(n);
      opts.readModel?.onSize?.(n);
    },
  });
  const listeners: RegistryChangeListener[] = [];
  const emit = (gateways: string[] | null) => {
    for (const l of listeners) l(gateways);
  };

  const feed: ChangeFeed = await startChangeFeed(db, {
    logger: opts.logger,
    retryMs: opts.listenRetryMs,
    onChange(change) {
      opts.metrics?.registryNotifications.inc();
      if (change.gateways === null) resolver.invalidate();
      else resolver.invalidate(change.gateways);
      emit(change.gateways);
    },
    onResync() {
      opts.logger.info('registry change feed listening again; re-reading every gateway');
      resolver.invalidate();
      emit(null);
    },
    onFailure: () => opts.metrics?.registryRefreshFailures.inc(),
  });

  let refreshing: Promise<string[]> | undefined;
  const refresh = () => {
    refreshing ??= resolver
      .refreshAll()
      .then((changed) => {
        if (changed.length > 0) {
          // Expected without LISTEN; with it, a notification was lost.
          opts.logger[feed.listening ? 'warn' : 'info'](
            { gateways: changed.length },
            'periodic registry refresh found changes no notification announced',
          );
          emit(changed);
        }
        return changed;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };
  const timer = setInterval(() => {
    refresh().catch((err: Error) => {
      opts.metrics?.registryRefreshFailures.inc();
      opts.logger.warn(
        { code: 'INGEST_ERR_REGISTRY_UNAVAILABLE', err: err.message },
        'periodic registry refresh failed; keeping the cached entries',
      );
    });
  }, opts.refreshIntervalMs ?? 60_000);
  timer.unref();

  return {
    resolver,
    onChange(listener) {
      listeners.push(listener);
    },
    get listening() {
      return feed.listening;
    },
    refresh,
    async close() {
      clearInterval(timer);
      await refreshing?.catch(() => {});
      await feed.close();
    },
  };
}
