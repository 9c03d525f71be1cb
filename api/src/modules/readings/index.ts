// The readings context's public surface: other modules and the composition root import only this file.
import type { FastifyPluginAsync } from 'fastify';
import { type ReadingsRoutesOptions, readingsRoutes } from './routes.js';

export { READINGS_ERRORS } from './errors.js';
export { decodeReadingId, encodeReadingId, type PointKey } from './reading-id.js';
export { createReadingsService, type ReadingsDeps, type ReadingsService } from './service.js';

/** Stored readings of the members a caller may see, and reassigning one to another member. */
export const readingsModule: FastifyPluginAsync<ReadingsRoutesOptions> = async (app, opts) => {
  await app.register(readingsRoutes, opts);
};
