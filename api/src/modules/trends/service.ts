import type { InfluxClient } from '../../influx/client.js';
import { buildAggregateQuery } from '../../influx/influxql.js';
import { toTrendPoints } from './points.js';
import type { TimeRange } from './time-range.js';

/**
 * Which InfluxDB `account` tags hold a person's readings: their own, plus those of accounts merged into
 * theirs (readings stay under the tag they were written with; docs/decisions.md "merge by alias").
 */
export type AccountTagResolver = (accountId: string) => Promise<readonly string[]>;

export interface TrendsService {
  heartRate(
    accountId: string,
    range: TimeRange,
  ): Promise<{ accounts: readonly string[]; points: ReturnType<typeof toTrendPoints> }>;
}

export function createTrendsService(deps: {
  influx: InfluxClient;
  accountTags: AccountTagResolver;
}): TrendsService {
  return {
    async heartRate(accountId, range) {
      const accounts = await deps.accountTags(accountId);
      const query = buildAggregateQuery({
        measurement: 'heart_rate',
        field: 'bpm',
        tags: { account: accounts },
        ...range,
      });
      return { accounts, points: toTrendPoints(await deps.influx.query(query)) };
    },
  };
}
