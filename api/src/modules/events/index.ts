// The events context's public surface: the event log every feed reads, and the change feed (docs/events.md).
import type { FastifyPluginAsync } from 'fastify';
import { type ChangesRoutesOptions, changesRoutes } from './routes.js';

export {
  type ActivityFact,
  type ActivityFeed,
  type ActivityPage,
  createActivityFeed,
  type FactClassifier,
} from './activity-feed.js';
export { type ChangeView, changeView, type Viewer } from './change-view.js';
export { decodeCursor, encodeCursor, type Position } from './cursor.js';
export { EVENTS_ERRORS } from './errors.js';
export { pointEventId } from './ids.js';
export {
  type EventRelay,
  eventOfLine,
  eventOfTuple,
  eventsOfRow,
  OUTBOX_CHANNEL,
  type RelayPass,
  relayOnce,
  startEventRelay,
} from './relay.js';
export { createEventsService, EVENTS_CHANNEL, recordEvents } from './service.js';
export * from './types.js';
export type { ChangesRoutesOptions };

/** GET /v1/changes. */
export const changesModule: FastifyPluginAsync<ChangesRoutesOptions> = async (app, opts) => {
  await app.register(changesRoutes, opts);
};
