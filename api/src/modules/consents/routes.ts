import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  insufficientScope,
  type Principal,
  requireAnyUser,
  type ScopeDeclaration,
} from '../../auth/guard.js';
import type { Database, SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import type { AuditService, RequestOrigin } from '../audit/index.js';
import type { ConsentChannel } from './purposes.js';
import * as s from './schemas.js';
import { createConsentManagement } from './service.js';

export interface ConsentsRoutesOptions {
  db: Database;
  now: () => number;
  auditFor: (sql: SqlClient) => AuditService;
  originOf: (request: FastifyRequest) => RequestOrigin;
}

/**
 * The `account` guard, with apps refused by their own code once their token is verified: an app acts for a
 * person under the scopes they granted it, and consent to processing is the person's own decision (GDPR
 * Art. 7), which no app may see or make for them.
 */
function consentGuard() {
  const guard = async function consentGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = await requireAnyUser(request, reply);
    if (principal.via === 'app') {
      throw new ApiError('API_ERR_CONSENT_APP_FORBIDDEN', 'Apps cannot see or change a person’s consents.');
    }
    if (!principal.scopes.includes('account')) throw insufficientScope('account');
  };
  const scopeDeclaration: ScopeDeclaration = { scope: 'account', perMetric: false };
  return Object.assign(guard, { scopeDeclaration });
}

/** Where a decision was made: the console (session cookie), the CLI (a token without a session), or the API. */
function channelOf(p: Principal): ConsentChannel {
  if (p.via === 'cookie') return 'console';
  return p.sessionId === null ? 'cli' : 'api';
}

export const consentsRoutes: FastifyPluginAsyncTypebox<ConsentsRoutesOptions> = async (app, opts) => {
  const guard = consentGuard();
  const consents = createConsentManagement(opts.db, opts.now, opts.auditFor);
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;

  app.get('/v1/consents', { schema: s.overviewRoute, preHandler: guard }, async (request) =>
    consents.overview(accountOf(request)),
  );

  app.get('/v1/consents/history', { schema: s.historyRoute, preHandler: guard }, async (request) => ({
    history: await consents.history(accountOf(request), {
      limit: request.query.limit,
      ...(request.query.before === undefined ? {} : { before: request.query.before }),
    }),
  }));

  app.put('/v1/consents', { schema: s.grantRoute, preHandler: guard }, async (request) => {
    const { expires_at, ...rest } = request.body;
    return consents.grant(
      accountOf(request),
      { ...rest, ...(expires_at === undefined ? {} : { expires_at }) },
      opts.originOf(request),
    );
  });

  app.post('/v1/consents/withdraw', { schema: s.withdrawRoute, preHandler: guard }, async (request) => {
    const { channel, ...key } = request.body;
    return consents.withdraw(
      accountOf(request),
      key,
      channel ?? channelOf(request.principal!),
      opts.originOf(request),
    );
  });
};
