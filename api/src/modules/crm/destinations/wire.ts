import type { Database } from '../../../db/sql-client.js';
import { createDestinationsRepository } from '../repository/destinations.js';
import { segmentsServiceFor } from '../segments/wire.js';
import { createDestinationsService, type DestinationsDeps } from './service.js';
import { createDestinationDelivery } from './webhook.js';

/** Destinations on a database: repository and segments service wired in (the app and tests use this). */
export function destinationsFor(
  db: Database,
  deps: Omit<DestinationsDeps, 'repo' | 'segments'> & { k?: number },
) {
  const repo = createDestinationsRepository(db);
  const segments = segmentsServiceFor(db, { now: deps.now, ...(deps.k === undefined ? {} : { k: deps.k }) });
  const service = createDestinationsService({ ...deps, repo, segments });
  const delivery = createDestinationDelivery({
    repo,
    now: deps.now,
    secretKey: deps.secretKey,
    ...(deps.allowLoopback === undefined ? {} : { allowLoopback: deps.allowLoopback }),
    ...(deps.checkUrl ? { checkUrl: deps.checkUrl } : {}),
  });
  return { repo, segments, service, delivery };
}
