import type { FastifyPluginAsync } from 'fastify';
import { trendsRoutes } from './routes.js';
import type { TrendsService } from './service.js';

export { TRENDS_ERRORS } from './errors.js';
export { type AccountTagResolver, createTrendsService, type TrendsService } from './service.js';

/** Trends over InfluxDB for the signed-in person (and the accounts merged into theirs). */
export const trendsModule: FastifyPluginAsync<{ trends: TrendsService }> = async (app, opts) => {
  await app.register(trendsRoutes, opts);
};
