import type { Database } from '../../../db/sql-client.js';
import { createSegmentsRepository } from '../repository/segments.js';
import { createSegmentReportsRepository } from '../repository/segments-reports.js';
import { createSegmentsService, type SegmentsServiceOptions } from './service.js';

/** The segments service on a database: its repositories wired in (the app, the bench and tests use this). */
export function segmentsServiceFor(db: Database, opts: SegmentsServiceOptions = {}) {
  return createSegmentsService(
    { segments: createSegmentsRepository(db), reports: createSegmentReportsRepository(db) },
    opts,
  );
}
