import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireUser } from '../../auth/guard.js';
import type { InfluxClient } from '../../influx/client.js';
import { buildAggregateQuery } from '../../influx/influxql.js';
import { toTrendPoints } from './points.js';
import { heartRateTrendRoute } from './schema.js';
import { resolveTimeRange } from './time-range.js';

export interface TrendsRoutesOptions {
  influx: InfluxClient;
}

export const trendsRoutes: FastifyPluginAsyncTypebox<TrendsRoutesOptions> = async (app, opts) => {
  app.get(
    '/v1/trends/heart_rate',
    { schema: heartRateTrendRoute, preHandler: requireUser('trends:read') },
    async (request) => {
      const { from, to, window } = request.query;
      const range = resolveTimeRange(from, to, window);
      // The account comes from the verified token, never from the request, so nobody reads another's data.
      const account = request.principal!.accountId;
      const query = buildAggregateQuery({
        measurement: 'heart_rate',
        field: 'bpm',
        tags: { account },
        ...range,
      });
      const series = await opts.influx.query(query);
      return {
        metric: 'heart_rate' as const,
        account,
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        window: range.window.literal,
        points: toTrendPoints(series),
      };
    },
  );
};
