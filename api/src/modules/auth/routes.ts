import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Csrf } from '../../auth/csrf.js';
import { requireUser, SESSION_COOKIE } from '../../auth/guard.js';
import { FIRST_PARTY_SCOPES, type TokenIssuer } from '../../auth/tokens.js';
import type { Database } from '../../db/sql-client.js';
import { ApiError, titleOf } from '../../errors.js';
import { sendProblem } from '../../http/error-handler.js';
import { toProblem } from '../../http/problem.js';
import type { RequestOrigin } from '../audit/index.js';
import {
  clearFlowCookie,
  clearSessionCookie,
  FLOW_COOKIE,
  setFlowCookie,
  setSessionCookie,
} from './cookies.js';
import { signInCallbackCounter } from './metrics.js';
import type { SessionRow } from './repository.js';
import * as s from './schemas.js';
import type { AuthService } from './service.js';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  issueRefreshToken,
  rotateRefreshToken,
  stepUpValidUntil,
} from './sessions.js';

export interface AuthRoutesOptions {
  auth: AuthService;
  db: Database;
  tokens: TokenIssuer;
  csrf: Csrf;
  secureCookies: boolean;
  metrics: Registry;
  /** Requests a minute per client on the sign-in and token endpoints (default 60). */
  rateLimitPerMinute?: number;
  /** The API's external origin: the callback URL is rebuilt on it, as the provider saw it. */
  publicUrl: string;
  now: () => number;
}

export function originOf(request: FastifyRequest): RequestOrigin {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
}

// Sign-in endpoints are the ones worth guessing at; they get a per-client budget.
export const DEFAULT_AUTH_RATE_LIMIT_PER_MINUTE = 60;

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  const { auth } = opts;
  const authRateLimit = {
    rateLimit: { max: opts.rateLimitPerMinute ?? DEFAULT_AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' },
  };
  const countCallback = signInCallbackCounter(
    opts.metrics,
    auth.providers().map((p) => p.id),
  );
  const liveSession = async (request: FastifyRequest): Promise<SessionRow> => {
    const principal = request.principal!;
    const session = principal.sessionId ? await auth.session(principal.sessionId) : undefined;
    if (!session) throw new ApiError('API_ERR_STEP_UP_REQUIRED', 'This needs a signed-in browser session.');
    return session;
  };
  const issuePair = async (session: SessionRow, refreshToken: string) => ({
    access_token: opts.tokens.userToken(session.account_id, {
      scopes: FIRST_PARTY_SCOPES,
      ttlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      sessionId: session.id,
    }),
    token_type: 'Bearer' as const,
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: refreshToken,
    scope: FIRST_PARTY_SCOPES.join(' '),
  });

  app.get('/v1/auth/providers', { schema: s.providersRoute }, async () => ({ providers: auth.providers() }));

  app.get(
    '/v1/auth/:provider/start',
    { schema: s.startRoute, config: authRateLimit },
    async (request, reply) => {
      const flow = await auth.start(request.params.provider, 'signin', request.query.return_to);
      setFlowCookie(reply, flow.binding, opts.secureCookies);
      return reply.redirect(flow.authorizeUrl, 302);
    },
  );

  app.get(
    '/v1/auth/:provider/callback',
    { schema: s.callbackRoute, config: authRateLimit },
    async (request, reply) => {
      const url = new URL(request.url, opts.publicUrl);
      const outcome = await auth.callback(
        request.params.provider,
        url,
        request.cookies[FLOW_COOKIE],
        originOf(request),
      );
      clearFlowCookie(reply, opts.secureCookies);
      countCallback(request.params.provider, outcome.ok ? 'ok' : outcome.error.code);
      const wantsJson = request.headers.accept === 'application/json';
      if (!outcome.ok) {
        if (wantsJson) {
          const e = outcome.error;
          return sendProblem(
            request,
            reply,
            toProblem(e.code, e.statusCode, titleOf(e.code), e.detail, e.details),
          );
        }
        return reply.redirect(outcome.redirect, 303);
      }
      if (outcome.sessionToken !== undefined) {
        // A new sign-in replaces whatever session this browser had.
        const previous = await auth.sessionFromCookie(request.cookies[SESSION_COOKIE]);
        if (previous) await auth.signOut(previous, originOf(request));
        setSessionCookie(reply, outcome.sessionToken, opts.secureCookies);
      }
      return wantsJson
        ? { account_id: outcome.accountId, return_to: outcome.redirect }
        : reply.redirect(outcome.redirect, 303);
    },
  );

  app.get('/v1/auth/session', { schema: s.sessionRoute }, async (request) => {
    const session = await auth.sessionFromCookie(request.cookies[SESSION_COOKIE]);
    if (!session) return { signed_in: false };
    return {
      signed_in: true,
      account_id: session.account_id,
      csrf_token: opts.csrf.token(session.id),
      authenticated_at: new Date(session.authenticated_at).toISOString(),
      step_up_valid_until: stepUpValidUntil(session).toISOString(),
    };
  });

  app.post(
    '/v1/auth/signout',
    { schema: s.signOutRoute, preHandler: requireUser('account') },
    async (request, reply) => {
      const session = await liveSession(request);
      await auth.signOut(session, originOf(request));
      if (request.principal!.via === 'cookie') clearSessionCookie(reply, opts.secureCookies);
      return reply.status(204).send(null);
    },
  );

  for (const [path, intent, schema] of [
    ['/v1/auth/step-up', 'stepup', s.stepUpRoute],
    ['/v1/me/identities/link', 'link', s.linkRoute],
  ] as const) {
    app.post(
      path,
      { schema, preHandler: requireUser('account'), config: authRateLimit },
      async (request, reply) => {
        const session = await liveSession(request);
        const flow = await auth.start(request.body.provider, intent, request.body.return_to, session);
        setFlowCookie(reply, flow.binding, opts.secureCookies);
        return { authorize_url: flow.authorizeUrl };
      },
    );
  }

  app.post(
    '/v1/auth/tokens',
    { schema: s.issueTokensRoute, preHandler: requireUser('account') },
    async (request) => {
      const session = await liveSession(request);
      return issuePair(session, await issueRefreshToken(opts.db, session.id, undefined, opts.now()));
    },
  );

  app.post('/v1/auth/token', { schema: s.refreshRoute, config: authRateLimit }, async (request) => {
    // Not inside a transaction: a detected reuse must stay revoked even though the request fails.
    const { session, refreshToken } = await rotateRefreshToken(
      opts.db,
      request.body.refresh_token,
      opts.now(),
    );
    return issuePair(session, refreshToken);
  });
};
