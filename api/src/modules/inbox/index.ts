// The inbox context's public surface: other modules and the composition root import only this file.
import type { FastifyPluginAsync } from 'fastify';
import { type InboxRoutesOptions, inboxRoutes } from './routes.js';

export { INBOX_ERRORS } from './errors.js';
export { findMove, type MoveRequest, type MoveView, requestMove } from './moves.js';
export { MoveSchema } from './schemas.js';
export { discardHeldForSlot } from './service.js';

/** The household inbox (file, discard), moves of readings between members, and members' auto-rules. */
export const inboxModule: FastifyPluginAsync<InboxRoutesOptions> = async (app, opts) => {
  await app.register(inboxRoutes, opts);
};
