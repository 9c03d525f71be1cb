import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireUser } from '../../auth/guard.js';
import { heartRateTrendRoute } from './schemas.js';
import type { TrendsService } from './service.js';
import { resolveTimeRange } from './time-range.js';

export const trendsRoutes: FastifyPluginAsyncTypebox<{ trends: TrendsService }> = async (app, { trends }) => {
  app.get(
    '/v1/trends/heart_rate',
    { schema: heartRateTrendRoute, preHandler: requireUser('trends:read') },
    async (request) => {
      const { from, to, window } = request.query;
      const range = resolveTimeRange(from, to, window);
      // The account comes from the verified credential, never from the request, so nobody reads another's data.
      const account = request.principal!.accountId;
      const { points } = await trends.heartRate(account, range);
      return {
        metric: 'heart_rate' as const,
        account,
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        window: range.window.literal,
        points,
      };
    },
  );
};
