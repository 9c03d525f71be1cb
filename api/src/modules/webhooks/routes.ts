import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireUser } from '../../auth/guard.js';
import * as s from './schemas.js';
import type { WebhooksService } from './service.js';

export const WEBHOOKS_PREFIX = '/v1/developer/apps/:client_id/webhooks';

/**
 * The developer's webhook routes, beside the app routes they belong to (/v1/developer/apps, docs/oauth.md):
 * the same first-party guard (session cookie with CSRF, or the CLI's bearer token, scope `account`), and the
 * service answers 404 for an app the caller did not register, so another developer learns nothing.
 */
export const webhooksRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhooksService }> = async (app, opts) => {
  const w = opts.webhooks;
  const guard = requireUser('account');
  const me = (request: { principal: { accountId: string } | null }) => request.principal?.accountId as string;
  const P = WEBHOOKS_PREFIX;
  const E = `${P}/:endpoint_id`;

  app.post(P, { schema: s.createEndpointRoute, preHandler: guard }, async (request, reply) =>
    reply.code(201).send(await w.create(me(request), request.params.client_id, request.body)),
  );
  app.get(P, { schema: s.listEndpointsRoute, preHandler: guard }, async (request) => ({
    endpoints: await w.list(me(request), request.params.client_id),
  }));
  app.get(E, { schema: s.getEndpointRoute, preHandler: guard }, async (request) =>
    w.get(me(request), request.params.client_id, request.params.endpoint_id),
  );
  app.patch(E, { schema: s.updateEndpointRoute, preHandler: guard }, async (request) =>
    w.update(me(request), request.params.client_id, request.params.endpoint_id, request.body),
  );
  app.delete(E, { schema: s.deleteEndpointRoute, preHandler: guard }, async (request, reply) => {
    await w.remove(me(request), request.params.client_id, request.params.endpoint_id);
    return reply.code(204).send(null);
  });
  app.post(`${E}/verify`, { schema: s.verifyEndpointRoute, preHandler: guard }, async (request) =>
    w.verify(me(request), request.params.client_id, request.params.endpoint_id),
  );
  app.post(`${E}/secrets`, { schema: s.rotateSecretRoute, preHandler: guard }, async (request, reply) =>
    reply
      .code(201)
      .send(
        await w.rotateSecret(
          me(request),
          request.params.client_id,
          request.params.endpoint_id,
          request.body?.expire_others_in_s,
        ),
      ),
  );
  app.delete(
    `${E}/secrets/:secret_id`,
    { schema: s.revokeSecretRoute, preHandler: guard },
    async (request, reply) => {
      await w.revokeSecret(
        me(request),
        request.params.client_id,
        request.params.endpoint_id,
        request.params.secret_id,
      );
      return reply.code(204).send(null);
    },
  );
  app.get(`${E}/health`, { schema: s.healthRoute, preHandler: guard }, async (request) =>
    w.health(me(request), request.params.client_id, request.params.endpoint_id),
  );
  app.get(`${E}/attempts`, { schema: s.attemptsRoute, preHandler: guard }, async (request) =>
    w.attempts(me(request), request.params.client_id, request.params.endpoint_id, request.query),
  );
  app.post(`${E}/replays`, { schema: s.replayRoute, preHandler: guard }, async (request, reply) =>
    reply
      .code(202)
      .send(await w.replay(me(request), request.params.client_id, request.params.endpoint_id, request.body)),
  );
  app.post(`${E}/backfills`, { schema: s.startBackfillRoute, preHandler: guard }, async (request, reply) =>
    reply
      .code(202)
      .send(
        await w.startBackfill(
          me(request),
          request.params.client_id,
          request.params.endpoint_id,
          request.body,
        ),
      ),
  );
  app.get(`${E}/backfills/:backfill_id`, { schema: s.getBackfillRoute, preHandler: guard }, async (request) =>
    w.backfill(me(request), request.params.client_id, request.params.endpoint_id, request.params.backfill_id),
  );
};
