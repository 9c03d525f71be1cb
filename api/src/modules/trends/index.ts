import type { FastifyPluginAsync } from 'fastify';
import { healthEventsRoutes, healthRoutes, type TrendsRoutesOptions, trendsRoutes } from './routes.js';

export { TRENDS_ERRORS } from './errors.js';
export { createHealthEventsService, type HealthEventsService } from './events.js';
export { createHealthService, type HealthService } from './health-service.js';
export { createProfileService, type ProfileService } from './profile.js';
export {
  type ClassifyReading,
  type ReadingClassification,
  readingClassifierFor,
} from './reading-classifier.js';
export { type AccountTagResolver, createTrendsService, type TrendsService } from './service.js';
export { createSourcesService, type SourcesService } from './sources.js';

/** Trends, derived series and classifications over InfluxDB, and each person's health profile (docs/trends.md). */
export const trendsModule: FastifyPluginAsync<TrendsRoutesOptions> = async (app, opts) => {
  // Static paths (…/heart_rate/resting) and the parametric /v1/trends/:metric coexist in find-my-way.
  await app.register(healthRoutes, opts);
  await app.register(trendsRoutes, opts);
  await app.register(healthEventsRoutes, opts);
};
