import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../../auth/guard.js';
import type { SqlClient } from '../../db/sql-client.js';
import { BEARER_SECURITY, protectedRouteErrors } from '../../http/schemas.js';
import { AUDIT_ACTIONS, type AuditService } from './service.js';

const EntrySchema = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  action: Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a))),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  details: Type.Object({}, { additionalProperties: true }),
});

export const auditRoutes: FastifyPluginAsyncTypebox<{
  db: SqlClient;
  auditFor: (sql: SqlClient) => AuditService;
}> = async (app, opts) => {
  app.get(
    '/v1/me/audit',
    {
      preHandler: requireUser('account'),
      schema: {
        summary: "The account's sign-ins, links, unlinks, merges, undos and step-ups, newest first",
        tags: ['identity'],
        security: BEARER_SECURITY,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          before: Type.Optional(
            Type.String({ pattern: '^[0-9]{1,18}$', description: 'An entry id from the previous page.' }),
          ),
        }),
        response: { 200: Type.Object({ entries: Type.Array(EntrySchema) }), ...protectedRouteErrors },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const entries = await opts.auditFor(opts.db).list(request.principal!.accountId, {
        limit,
        ...(before === undefined ? {} : { before }),
      });
      return { entries: entries as never };
    },
  );
};
