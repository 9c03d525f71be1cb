import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import type { SqlClient } from '../../db/sql-client.js';
import { createDependents } from './dependents.js';
import type { HouseholdsRoutesOptions } from './routes.js';
import * as s from './schemas.js';
import { createSharing } from './sharing.js';

/** Guessing handover codes is the attack on accept; each client gets a few dozen tries a minute. */
const acceptRateLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } };

/** Dependents, their handover, and sharing between members (docs/households.md). */
export const memberRoutes: FastifyPluginAsyncTypebox<HouseholdsRoutesOptions> = async (app, opts) => {
  const guard = requireUser('account');
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;
  const dependents = (sql: SqlClient) => createDependents(sql, opts.now, opts.accounts, opts.consoleUrl);
  const sharing = (sql: SqlClient) => createSharing(sql, opts.now);

  app.post(
    '/v1/households/:id/dependents',
    { schema: s.addDependentRoute, preHandler: guard },
    async (request, reply) => {
      const dependent = await opts.db.transaction(async (sql) => {
        const d = await dependents(sql).add(accountOf(request), request.params.id, request.body.display_name);
        await opts.auditFor(sql).record(accountOf(request), 'dependent_added', opts.originOf(request), {
          household_id: request.params.id,
          account_id: d.account_id,
        });
        return d;
      });
      return reply.status(201).send(dependent);
    },
  );

  app.get(
    '/v1/households/:id/dependents',
    { schema: s.listDependentsRoute, preHandler: guard },
    async (request) => ({
      dependents: await dependents(opts.db).list(accountOf(request), request.params.id),
    }),
  );

  app.patch(
    '/v1/households/:id/dependents/:accountId',
    { schema: s.renameDependentRoute, preHandler: guard },
    async (request) =>
      opts.db.transaction((sql) =>
        dependents(sql).rename(
          accountOf(request),
          request.params.id,
          request.params.accountId,
          request.body.display_name,
        ),
      ),
  );

  app.post(
    '/v1/households/:id/members/:accountId/handover',
    { schema: s.createHandoverRoute, preHandler: guard },
    async (request, reply) => {
      const handover = await opts.db.transaction((sql) =>
        dependents(sql).createHandover(accountOf(request), request.params.id, request.params.accountId),
      );
      return reply.status(201).send(handover);
    },
  );

  app.delete(
    '/v1/households/:id/handovers/:handoverId',
    { schema: s.revokeHandoverRoute, preHandler: guard },
    async (request, reply) => {
      await opts.db.transaction((sql) =>
        dependents(sql).revokeHandover(accountOf(request), request.params.id, request.params.handoverId),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/handovers/accept',
    { schema: s.acceptHandoverRoute, preHandler: guard, config: acceptRateLimit },
    async (request) =>
      opts.db.transaction(async (sql) => {
        const done = await dependents(sql).acceptHandover(accountOf(request), request.body.code);
        const details = {
          household_id: done.household_id,
          account_id: done.account_id,
          previous_account_id: done.previous_account_id,
          merge_id: done.merge_id,
        };
        await opts.auditFor(sql).record(done.account_id, 'handover', opts.originOf(request), details);
        await opts
          .auditFor(sql)
          .record(done.previous_account_id, 'handover', opts.originOf(request), details);
        return done;
      }),
  );

  app.get('/v1/households/:id/shares', { schema: s.listSharesRoute, preHandler: guard }, async (request) => ({
    shares: await sharing(opts.db).list(accountOf(request), request.params.id),
  }));

  app.put(
    '/v1/households/:id/shares/:viewerId',
    { schema: s.putShareRoute, preHandler: guard },
    async (request) =>
      opts.db.transaction((sql) =>
        sharing(sql).share(accountOf(request), request.params.id, request.params.viewerId),
      ),
  );

  app.delete(
    '/v1/households/:id/shares/:viewerId',
    { schema: s.deleteShareRoute, preHandler: guard },
    async (request, reply) => {
      await opts.db.transaction((sql) =>
        sharing(sql).unshare(accountOf(request), request.params.id, request.params.viewerId),
      );
      return reply.status(204).send(null);
    },
  );
};
