import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import { ApiError } from '../../errors.js';
import type { RequestOrigin } from '../audit/index.js';
import * as s from './schemas.js';
import type { ReadingsService } from './service.js';

export interface ReadingsRoutesOptions {
  readings: ReadingsService;
  now: () => number;
  originOf: (request: FastifyRequest) => RequestOrigin;
}

export const readingsRoutes: FastifyPluginAsyncTypebox<ReadingsRoutesOptions> = async (app, opts) => {
  const guard = requireUser('account');
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;

  app.get(
    '/v1/households/:id/members/:accountId/readings',
    { schema: s.listReadingsRoute, preHandler: guard },
    async (request) => {
      const q = request.query;
      const toMs = q.to === undefined ? opts.now() : Date.parse(q.to);
      const fromMs = q.from === undefined ? Math.max(0, toMs - s.DEFAULT_SPAN_MS) : Date.parse(q.from);
      if (!(fromMs < toMs) || fromMs < 0)
        throw new ApiError('API_ERR_READINGS_BAD_RANGE', '`from` must be before `to` (and not before 1970).');
      return {
        readings: await opts.readings.list(accountOf(request), request.params.id, request.params.accountId, {
          ...(q.metric === undefined ? {} : { metric: q.metric }),
          fromMs,
          toMs,
          limit: q.limit ?? s.DEFAULT_READINGS,
        }),
      };
    },
  );

  app.post(
    '/v1/readings/:id/reassign',
    { schema: s.reassignRoute, preHandler: guard },
    async (request, reply) => {
      const result = await opts.readings.reassign(
        accountOf(request),
        request.params.id,
        request.body.to_account_id,
        opts.originOf(request),
      );
      return reply.status(result.move === null ? 200 : 202).send(result);
    },
  );
};
