import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import type { Database, SqlClient } from '../../db/sql-client.js';
import type { AccountMover } from '../../shared/account-mover.js';
import type { AuditService, RequestOrigin } from '../audit/index.js';
import { createMergeService } from './merge-service.js';
import * as s from './schemas.js';
import { createIdentityService } from './service.js';

export interface IdentityRoutesOptions {
  db: Database;
  now: () => number;
  movers: readonly AccountMover[];
  auditFor: (sql: SqlClient) => AuditService;
  /** Throws API_ERR_STEP_UP_REQUIRED unless the caller signed in within the last 5 minutes. */
  requireStepUp: (request: FastifyRequest) => Promise<void>;
  /** Ends every session of an account, inside the caller's transaction. */
  revokeSessions: (sql: SqlClient, accountId: string, reason: string) => Promise<void>;
  displayNameOf: (providerId: string) => string;
  originOf: (request: FastifyRequest) => RequestOrigin;
}

export const identityRoutes: FastifyPluginAsyncTypebox<IdentityRoutesOptions> = async (app, opts) => {
  const guard = requireUser('account');
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;

  app.get('/v1/me', { schema: s.meRoute, preHandler: guard }, async (request) => {
    const id = accountOf(request);
    const identity = createIdentityService(opts.db, opts.now);
    const [account, identities] = await Promise.all([identity.account(id), identity.identities(id)]);
    return {
      id,
      display_name: account?.display_name ?? '',
      created_at: new Date(account?.created_at ?? 0).toISOString(),
      picture: identities.find((i) => i.picture !== null)?.picture ?? null,
    };
  });

  app.get('/v1/me/identities', { schema: s.identitiesRoute, preHandler: guard }, async (request) => {
    const identities = await createIdentityService(opts.db, opts.now).identities(accountOf(request));
    return {
      identities: identities.map((i) => ({ ...i, provider_display_name: opts.displayNameOf(i.provider) })),
    };
  });

  app.delete(
    '/v1/me/identities/:id',
    { schema: s.unlinkRoute, preHandler: guard },
    async (request, reply) => {
      await opts.requireStepUp(request);
      await opts.db.transaction(async (sql) => {
        const removed = await createIdentityService(sql, opts.now).unlink(
          accountOf(request),
          request.params.id,
        );
        await opts.auditFor(sql).record(accountOf(request), 'unlink', opts.originOf(request), {
          provider: removed.provider,
          identity_id: removed.id,
        });
      });
      return reply.status(204).send(null);
    },
  );

  app.get('/v1/me/link-suggestions', { schema: s.suggestionsRoute, preHandler: guard }, async (request) => ({
    suggestions: await createIdentityService(opts.db, opts.now).suggestions(accountOf(request)),
  }));

  app.post('/v1/me/merges', { schema: s.mergeRoute, preHandler: guard }, async (request, reply) => {
    await opts.requireStepUp(request);
    const target = accountOf(request);
    const merge = await opts.db.transaction(async (sql) => {
      const m = await createMergeService(sql, opts.now, opts.movers).merge(target, request.body.offer_id);
      // The merged account no longer signs in on its own; its sessions and their tokens end now.
      await opts.revokeSessions(sql, m.source_account_id, 'merged');
      const audit = opts.auditFor(sql);
      const details = { merge_id: m.id, source_account_id: m.source_account_id, target_account_id: target };
      await audit.record(target, 'merge', opts.originOf(request), details);
      await audit.record(m.source_account_id, 'merge', opts.originOf(request), details);
      return m;
    });
    return reply.status(201).send(merge);
  });

  app.get('/v1/me/merges', { schema: s.mergesRoute, preHandler: guard }, async (request) => ({
    merges: await createMergeService(opts.db, opts.now, opts.movers).list(accountOf(request)),
  }));

  app.post('/v1/me/merges/:id/undo', { schema: s.undoRoute, preHandler: guard }, async (request) => {
    await opts.requireStepUp(request);
    const target = accountOf(request);
    return opts.db.transaction(async (sql) => {
      const m = await createMergeService(sql, opts.now, opts.movers).undo(target, request.params.id);
      const audit = opts.auditFor(sql);
      const details = { merge_id: m.id, source_account_id: m.source_account_id, target_account_id: target };
      await audit.record(target, 'merge_undo', opts.originOf(request), details);
      await audit.record(m.source_account_id, 'merge_undo', opts.originOf(request), details);
      return m;
    });
  });
};
