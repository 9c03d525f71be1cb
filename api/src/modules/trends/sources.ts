import { type TrendMetric, trendMetric } from '@linkwell/firmware-protocol';
import type { Database } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { InfluxClient } from '../../influx/client.js';
import { deviceLabelsOf } from '../devices/index.js';
import { editableSubject, readableSubject } from './access.js';
import { rankSources } from './reconcile.js';
import { createTrendsRepository } from './repository.js';
import { type AccountTagResolver, unknownMetric } from './service.js';
import { createTrendStore } from './store.js';

/** Reading and changing which source wins when several measure the same thing (docs/trends.md). */
export function createSourcesService(deps: {
  db: Database;
  influx: InfluxClient;
  accountTags: AccountTagResolver;
  now: () => number;
}) {
  const store = createTrendStore(deps.influx);

  function metricOf(name: string): TrendMetric {
    const m = trendMetric(name);
    if (m === undefined) throw unknownMetric(name);
    return m;
  }

  /** Every device that measured this metric for the person, with its default rank (series order). */
  async function known(metric: TrendMetric, subject: string): Promise<Map<string, number>> {
    const accounts = await deps.accountTags(subject);
    const rank = new Map<string, number>();
    for (const f of metric.fields)
      for (const [i, src] of f.sources.entries())
        for (const d of await store.devicesOf(src.measurement, accounts))
          if (!rank.has(d) || rank.get(d)! > i) rank.set(d, i);
    return rank;
  }

  async function view(metric: TrendMetric, subject: string) {
    const rank = await known(metric, subject);
    const chosen = await createTrendsRepository(deps.db).sourcePriority(subject, metric.metric);
    const order = rankSources(rank.keys(), chosen, (s) => rank.get(s) ?? 99);
    const labels = await deviceLabelsOf(deps.db, order);
    return {
      metric: metric.metric,
      account: subject,
      priority: order,
      chosen,
      sources: order.map((id) => ({ id, name: labels.get(id) ?? null })),
    };
  }

  return {
    async get(caller: string, metricName: string, account: string | undefined) {
      const metric = metricOf(metricName);
      return view(metric, await readableSubject(deps.db, caller, account));
    },

    async set(caller: string, metricName: string, account: string | undefined, priority: readonly string[]) {
      const metric = metricOf(metricName);
      const subject = await editableSubject(deps.db, caller, account);
      const rank = await known(metric, subject);
      const unknown = priority.filter((s) => !rank.has(s));
      if (unknown.length > 0 || new Set(priority).size !== priority.length)
        throw new ApiError(
          'API_ERR_SOURCE_PRIORITY_INVALID',
          unknown.length > 0
            ? `These sources never measured ${metric.metric} for this person: ${unknown.join(', ')}.`
            : 'A source appears twice in the priority list.',
          { sources: [...rank.keys()].sort() },
        );
      await createTrendsRepository(deps.db).setSourcePriority(subject, metric.metric, priority, deps.now());
      return view(metric, subject);
    },
  };
}

export type SourcesService = ReturnType<typeof createSourcesService>;
