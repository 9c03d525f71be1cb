import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import type { Database, SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { AuditService, RequestOrigin } from '../audit/index.js';
import { householdMembership, visibleAccounts } from '../households/index.js';
import { createInbox, DEFAULT_REASONS } from './items.js';
import { findMove } from './moves.js';
import { createRules } from './rules.js';
import * as s from './schemas.js';

export interface InboxRoutesOptions {
  db: Database;
  now: () => number;
  displayNameOf: (sql: SqlClient, accountId: string) => Promise<string>;
  /** The household a device belongs to (devices context), or undefined. */
  deviceHouseholdOf: (sql: SqlClient, deviceId: string) => Promise<string | undefined>;
  auditFor: (sql: SqlClient) => AuditService;
  originOf: (request: FastifyRequest) => RequestOrigin;
}

export const inboxRoutes: FastifyPluginAsyncTypebox<InboxRoutesOptions> = async (app, opts) => {
  const guard = requireUser('account');
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;
  const inbox = (sql: SqlClient) => createInbox(sql, opts.now, opts.displayNameOf);
  const rules = (sql: SqlClient) => createRules(sql, opts.now, opts.deviceHouseholdOf);

  app.get('/v1/households/:id/inbox', { schema: s.listInboxRoute, preHandler: guard }, async (request) => {
    const q = request.query;
    return inbox(opts.db).list(accountOf(request), request.params.id, {
      state: q.state ?? 'held',
      reasons: q.include_unknown_devices ? [...DEFAULT_REASONS, 'unknown_device'] : DEFAULT_REASONS,
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      limit: q.limit ?? s.DEFAULT_INBOX_PAGE,
    });
  });

  app.post(
    '/v1/households/:id/inbox/:itemId/file',
    { schema: s.fileRoute, preHandler: guard },
    async (request, reply) => {
      const { id, itemId } = request.params;
      const to = request.body.account_id;
      const filed = await opts.db.transaction(async (sql) => {
        const result = await inbox(sql).file(accountOf(request), id, itemId, to);
        const details = {
          household_id: id,
          inbox_item_id: itemId,
          move_id: result.move.id,
          to_account_id: to,
        };
        for (const account of new Set([accountOf(request), to]))
          await opts.auditFor(sql).record(account, 'inbox_file', opts.originOf(request), details);
        return result;
      });
      return reply.status(202).send(filed);
    },
  );

  app.post(
    '/v1/households/:id/inbox/:itemId/discard',
    { schema: s.discardRoute, preHandler: guard },
    async (request) =>
      opts.db.transaction(async (sql) => {
        const { id, itemId } = request.params;
        const item = await inbox(sql).discard(accountOf(request), id, itemId);
        await opts.auditFor(sql).record(accountOf(request), 'inbox_discard', opts.originOf(request), {
          household_id: id,
          inbox_item_id: itemId,
        });
        return { item };
      }),
  );

  app.get('/v1/households/:id/moves/:moveId', { schema: s.moveRoute, preHandler: guard }, async (request) => {
    const caller = accountOf(request);
    const { id, moveId } = request.params;
    if ((await householdMembership.roleOf(opts.db, id, caller)) === undefined)
      throw new ApiError('API_ERR_HOUSEHOLD_NOT_FOUND', 'No household with this id has you as a member.');
    const move = await findMove(opts.db, id, moveId);
    const visible = await visibleAccounts(opts.db, caller, id);
    // A move says whose reading went where; only those who asked or may see one side of it see it.
    if (
      move === undefined ||
      !(
        move.requested_by === caller ||
        visible.has(move.to_account_id) ||
        (move.from_account_id !== null && visible.has(move.from_account_id))
      )
    )
      throw new ApiError(
        'API_ERR_MOVE_NOT_FOUND',
        'No move with this id in this household that you can see.',
      );
    return { move };
  });

  app.get(
    '/v1/households/:id/attribution-rules',
    { schema: s.listRulesRoute, preHandler: guard },
    async (request) => ({ rules: await rules(opts.db).list(accountOf(request), request.params.id) }),
  );

  app.post(
    '/v1/households/:id/attribution-rules',
    { schema: s.createRuleRoute, preHandler: guard },
    async (request, reply) => {
      const rule = await opts.db.transaction((sql) =>
        rules(sql).create(accountOf(request), request.params.id, request.body),
      );
      return reply.status(201).send(rule);
    },
  );

  app.delete(
    '/v1/households/:id/attribution-rules/:ruleId',
    { schema: s.deleteRuleRoute, preHandler: guard },
    async (request, reply) => {
      await opts.db.transaction((sql) =>
        rules(sql).remove(accountOf(request), request.params.id, request.params.ruleId),
      );
      return reply.status(204).send(null);
    },
  );
};
