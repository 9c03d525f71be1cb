import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TREND_METRICS } from '@linkwell/firmware-protocol';
import { requireUser } from '../../auth/guard.js';
import { metricsRoute, trendRoute } from './schemas.js';
import type { TrendsService } from './service.js';

export const trendsRoutes: FastifyPluginAsyncTypebox<{ trends: TrendsService }> = async (app, { trends }) => {
  app.get('/v1/trends', { schema: metricsRoute, preHandler: requireUser('trends:read') }, async () => ({
    metrics: Object.values(TREND_METRICS).map((m) => ({
      metric: m.metric,
      kind: m.kind,
      fields: m.fields.map((f) => ({ name: f.name, ucum: f.ucum, dimension: f.dimension })),
    })),
  }));

  app.get(
    '/v1/trends/:metric',
    { schema: trendRoute, preHandler: requireUser('trends:read') },
    async (request) =>
      // The caller comes from the verified credential; `account` is checked against what they may see.
      trends.trend(request.principal!.accountId, request.params.metric, request.query),
  );
};
