import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import { requireMarketer } from '../../auth/marketer.js';
import { MARKETER_SCOPE, MARKETER_TOKEN_TTL_SECONDS, type TokenIssuer } from '../../auth/tokens.js';
import type { Database, SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import * as s from './schemas.js';
import { canonicalRoles, createOrgManagement } from './service.js';

export interface OrgsRoutesOptions {
  db: Database;
  now: () => number;
  tokens: TokenIssuer;
  /** Whether a (not merged) account exists, from the identity context, read through `sql`. */
  accountExists: (sql: SqlClient, accountId: string) => Promise<boolean>;
}

export const orgsRoutes: FastifyPluginAsyncTypebox<OrgsRoutesOptions> = async (app, opts) => {
  const guard = requireUser('account');
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;
  const manage = (sql: SqlClient) => createOrgManagement(sql, opts.now, (id) => opts.accountExists(sql, id));
  const inTx = <T>(fn: (m: ReturnType<typeof manage>) => Promise<T>) =>
    opts.db.transaction((sql) => fn(manage(sql)));

  app.post('/v1/orgs', { schema: s.createRoute, preHandler: guard }, async (request, reply) => {
    const org = await inTx((m) => m.create(accountOf(request), request.body));
    return reply.status(201).send(org);
  });

  app.get('/v1/orgs', { schema: s.listRoute, preHandler: guard }, async (request) => ({
    orgs: await manage(opts.db).list(accountOf(request)),
  }));

  app.get('/v1/orgs/:org/members', { schema: s.membersRoute, preHandler: guard }, async (request) => ({
    members: await manage(opts.db).members(accountOf(request), request.params.org),
  }));

  app.put('/v1/orgs/:org/members/:account', { schema: s.setRolesRoute, preHandler: guard }, async (request) =>
    inTx((m) =>
      m.setRoles(accountOf(request), request.params.org, request.params.account, request.body.roles),
    ),
  );

  app.delete(
    '/v1/orgs/:org/members/:account',
    { schema: s.removeMemberRoute, preHandler: guard },
    async (request, reply) => {
      await inTx((m) => m.remove(accountOf(request), request.params.org, request.params.account));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/orgs/:org/marketer-session',
    { schema: s.marketerSessionRoute, preHandler: guard },
    async (request) => {
      const principal = request.principal!;
      const { org } = request.params;
      const roles = await manage(opts.db).myRoles(principal.accountId, org);
      if (!roles.includes('marketer')) {
        throw new ApiError(
          'API_ERR_MARKETER_ROLE_REQUIRED',
          'You do not hold the marketer role in this organisation.',
        );
      }
      const access_token = opts.tokens.marketerToken(principal.accountId, org, {
        ...(principal.sessionId === null ? {} : { sessionId: principal.sessionId }),
      });
      return {
        access_token,
        token_type: 'Bearer' as const,
        expires_in: MARKETER_TOKEN_TTL_SECONDS,
        org,
        scope: MARKETER_SCOPE,
      };
    },
  );

  // The demo marketer route: proves the marketer principal end to end (docs/orgs.md).
  app.get(
    '/v1/crm/orgs/:org/whoami',
    { schema: s.whoamiRoute, preHandler: requireMarketer },
    async (request) => {
      const m = request.marketer!;
      return { org: m.orgId, account: m.accountId, roles: canonicalRoles(m.roles) };
    },
  );
};
