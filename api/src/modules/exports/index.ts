// The exports context's public surface: CSV and NDJSON downloads of a person's readings (docs/fhir.md
// "CSV and NDJSON export"), and the keyset paging and counting the FHIR exports share.
import type { FastifyPluginAsync } from 'fastify';
import { type ExportRoutesOptions, exportRoutes } from './routes.js';

export { type CountDeps, type CountReadings, createReadingCounter } from './count.js';
export { EXPORT_ERRORS } from './errors.js';
export {
  allReadings,
  type ListOwn,
  type PageQuery,
  positionAfter,
  type ReadingPosition,
  readPage,
  type StoredReading,
} from './pages.js';
export type { ExportRoutesOptions };

/** GET /v1/export: the caller's readings as CSV or NDJSON, streamed. */
export const exportsModule: FastifyPluginAsync<ExportRoutesOptions> = async (app, opts) => {
  await app.register(exportRoutes, opts);
};
