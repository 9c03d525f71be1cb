import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import type { Database, SqlClient } from '../../db/sql-client.js';
import type { AuditService, RequestOrigin } from '../audit/index.js';
import type { HouseholdAccounts } from './dependents.js';
import * as s from './schemas.js';
import { createHouseholdManagement } from './service.js';

export interface HouseholdsRoutesOptions {
  db: Database;
  now: () => number;
  /** An account's display name, from the identity context, read through `sql` (maybe a transaction). */
  displayNameOf: (sql: SqlClient, accountId: string) => Promise<string>;
  /** Accounts for dependents and their handover, from the identity context. */
  accounts: HouseholdAccounts;
  auditFor: (sql: SqlClient) => AuditService;
  originOf: (request: FastifyRequest) => RequestOrigin;
  /** The console's public origin, for invite and handover links. */
  consoleUrl: string;
}

/** Guessing invite codes is the attack on accept; each client gets a few dozen tries a minute. */
const acceptRateLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } };

export const householdsRoutes: FastifyPluginAsyncTypebox<HouseholdsRoutesOptions> = async (app, opts) => {
  const guard = requireUser('account');
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;
  const manage = (sql: SqlClient) =>
    createHouseholdManagement(sql, opts.now, (id) => opts.displayNameOf(sql, id), opts.consoleUrl);
  const inTx = <T>(fn: (m: ReturnType<typeof manage>) => Promise<T>) =>
    opts.db.transaction((sql) => fn(manage(sql)));

  app.post('/v1/households', { schema: s.createRoute, preHandler: guard }, async (request, reply) => {
    const household = await inTx((m) => m.create(accountOf(request), request.body.name));
    return reply.status(201).send(household);
  });

  app.get('/v1/households', { schema: s.listRoute, preHandler: guard }, async (request) => ({
    households: await manage(opts.db).list(accountOf(request)),
  }));

  app.get('/v1/households/:id', { schema: s.getRoute, preHandler: guard }, async (request) =>
    manage(opts.db).get(accountOf(request), request.params.id),
  );

  app.patch('/v1/households/:id', { schema: s.renameRoute, preHandler: guard }, async (request) =>
    inTx((m) => m.rename(accountOf(request), request.params.id, request.body.name)),
  );

  app.post(
    '/v1/households/:id/invites',
    { schema: s.createInviteRoute, preHandler: guard },
    async (request, reply) => {
      const invite = await inTx((m) => m.createInvite(accountOf(request), request.params.id));
      return reply.status(201).send(invite);
    },
  );

  app.get(
    '/v1/households/:id/invites',
    { schema: s.listInvitesRoute, preHandler: guard },
    async (request) => ({
      invites: await manage(opts.db).invites(accountOf(request), request.params.id),
    }),
  );

  app.delete(
    '/v1/households/:id/invites/:inviteId',
    { schema: s.revokeInviteRoute, preHandler: guard },
    async (request, reply) => {
      await inTx((m) => m.revokeInvite(accountOf(request), request.params.id, request.params.inviteId));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/household-invites/accept',
    { schema: s.acceptRoute, preHandler: guard, config: acceptRateLimit },
    async (request) => inTx((m) => m.accept(accountOf(request), request.body.code)),
  );

  app.post(
    '/v1/households/:id/leave',
    { schema: s.leaveRoute, preHandler: guard },
    async (request, reply) => {
      await inTx((m) => m.leave(accountOf(request), request.params.id));
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/v1/households/:id/members/:accountId',
    { schema: s.removeMemberRoute, preHandler: guard },
    async (request, reply) => {
      await inTx((m) => m.removeMember(accountOf(request), request.params.id, request.params.accountId));
      return reply.status(204).send(null);
    },
  );

  app.post('/v1/households/:id/transfer', { schema: s.transferRoute, preHandler: guard }, async (request) =>
    inTx((m) => m.transfer(accountOf(request), request.params.id, request.body.account_id)),
  );
};
