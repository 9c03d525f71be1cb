import fastifyMiddie from '@fastify/middie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { SessionLookup } from '../../auth/guard.js';
import { requireUser } from '../../auth/guard.js';
import type { SigningKeys } from '../../auth/keys.js';
import type { Database } from '../../db/sql-client.js';
import { type ClientsService, createClientsService } from './clients.js';
import { type ConnectionsService, createConnectionsService, type RecordEvent } from './connections.js';
import { interactionRoutes } from './interactions.js';
import { jwtIntrospection } from './introspection.js';
import { DEFAULT_OAUTH_TTL, OAUTH_PATHS, type OAuthTtl } from './options.js';
import { createProvider } from './provider.js';
import { clientsRepository } from './repository/clients.js';
import { sweepExpired } from './repository/models.js';
import { registerResourceServer } from './resource-server.js';
import * as s from './schemas.js';
import { deriveOAuthSecrets, type OAuthSecrets } from './secrets.js';
import { OAuthStoreUnavailable, storeGuarded } from './store-guard.js';
import { registerUserinfo } from './userinfo.js';

export { OAUTH_ERRORS } from './errors.js';
export { countOAuthEvents } from './metrics.js';
export { OAUTH_PATHS } from './options.js';
export { clientMetadata, sectorOf } from './provider.js';
export { type AppFacts, type AppPerson, oauthAppDirectory } from './repository/app-directory.js';
export { deriveOAuthSecrets, encryptSecret, newClientSecret, pairwiseSubject } from './secrets.js';

export interface OAuthServerDeps {
  db: Database;
  /** The API's external origin: the issuer. */
  publicUrl: string;
  /** The authorization server's own ES256 key (not the first-party token key). */
  keys: SigningKeys;
  sessions: SessionLookup;
  accountExists: (accountId: string) => Promise<boolean>;
  now: () => number;
  secureCookies: boolean;
  ttl?: Partial<OAuthTtl>;
  /** Adds each revoked connection to the event log (docs/events.md), in the revoking transaction. */
  recordEvent?: RecordEvent;
}

export interface OAuthServer {
  provider: Provider;
  secrets: OAuthSecrets;
  apiResource: string;
  connections: ConnectionsService;
}

/** The Linkwell API as an RFC 8707 resource: the audience of every access token the server issues. */
export function apiResourceOf(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1`;
}

/**
 * Composes the authorization server into the API (docs/oauth.md): oidc-provider mounted through @fastify/middie
 * ahead of Fastify's body parsing, the resource-server verifier for app tokens, the interaction, connection and
 * consent routes, and a sweep of expired provider rows.
 */
export function registerOAuthServer(app: FastifyInstance, deps: OAuthServerDeps): OAuthServer {
  const issuer = deps.publicUrl.replace(/\/+$/, '');
  const apiResource = apiResourceOf(issuer);
  const secrets = deriveOAuthSecrets(deps.keys);
  const provider = createProvider({
    db: storeGuarded(deps.db),
    issuer,
    apiResource,
    secrets,
    sessions: deps.sessions,
    accountExists: deps.accountExists,
    now: deps.now,
    ttl: { ...DEFAULT_OAUTH_TTL, ...deps.ttl },
    secureCookies: deps.secureCookies,
  });
  const rs = registerResourceServer(app, deps.keys, { db: deps.db, issuer, apiResource, now: deps.now });
  app.appTokens = rs.verifier;
  registerUserinfo(app, { verifier: rs.verifier, provider });
  const connections = createConnectionsService({
    db: deps.db,
    now: deps.now,
    onGrantGone: rs.forgetGrant,
    ...(deps.recordEvent ? { recordEvent: deps.recordEvent } : {}),
  });

  provider.on('server_error', (ctx, err) => {
    if (err instanceof OAuthStoreUnavailable) ctx.state.storeUnavailable = true;
    app.log.error({ err }, 'authorization server error');
  });
  provider.on('grant.revoked', (_ctx, grantId) => {
    connections.grantRevokedElsewhere(grantId).catch((err: unknown) => {
      app.log.error({ err }, 'recording a revoked grant failed');
    });
  });
  // RFC 6749 has no 503 for the token endpoint, but a store outage is not the client's fault: say so, coded.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.state.storeUnavailable === true) {
      ctx.status = 503;
      ctx.set('retry-after', '5');
      ctx.set('cache-control', 'no-store');
      ctx.type = 'application/json';
      ctx.body = {
        error: 'temporarily_unavailable',
        error_description:
          'The authorization server store is unavailable; nothing was issued. Retry shortly.',
        code: 'API_ERR_OAUTH_UNAVAILABLE',
      };
    }
  });

  provider.use(jwtIntrospection(rs.verifier));

  const callback = provider.callback();
  app.register(fastifyMiddie).after(() => {
    app.use((req, res, next) => {
      const url = req.url ?? '/';
      if (url.startsWith(`${OAUTH_PATHS.interaction}/`)) return next();
      // UserInfo is the API's own route (userinfo.ts): it accepts the RFC 9068 tokens oidc-provider's refuses.
      if (url === OAUTH_PATHS.routes.userinfo || url.startsWith(`${OAUTH_PATHS.routes.userinfo}?`))
        return next();
      // RFC 8414 metadata is the same document as OpenID discovery (RFC 8414 §3 allows one document for both).
      if (/^\/\.well-known\/oauth-authorization-server(\?|$)/.test(url)) {
        req.url = url.replace('oauth-authorization-server', 'openid-configuration');
        return void callback(req, res);
      }
      if (url.startsWith(OAUTH_PATHS.prefix) || /^\/\.well-known\/openid-configuration(\?|$)/.test(url)) {
        return void callback(req, res);
      }
      next();
    });
  });

  const sweep = setInterval(() => {
    sweepExpired(deps.db, deps.now()).catch((err: unknown) => app.log.warn({ err }, 'oauth sweep failed'));
  }, 10 * 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  const clients = createClientsService({
    db: deps.db,
    now: deps.now,
    secretKey: secrets.secretKey,
    onClientChanged: rs.forgetClient,
  });
  app.register(oauthModule, { db: deps.db, provider, connections, clients, apiResource });
  return { provider, secrets, apiResource, connections };
}

interface OAuthModuleOptions {
  db: Database;
  provider: Provider;
  connections: ConnectionsService;
  clients: ClientsService;
  apiResource: string;
}

const oauthModule: FastifyPluginAsyncTypebox<OAuthModuleOptions> = async (app, opts) => {
  const clients = clientsRepository(opts.db);
  await app.register(interactionRoutes, {
    provider: opts.provider,
    clients,
    connections: opts.connections,
    apiResource: opts.apiResource,
  });
  const guard = requireUser('account');
  app.get('/v1/connections', { schema: s.listConnectionsRoute, preHandler: guard }, async (request) => ({
    connections: await opts.connections.list(request.principal?.accountId as string),
  }));
  app.delete(
    '/v1/connections/:grant_id',
    { schema: s.revokeConnectionRoute, preHandler: guard },
    async (request, reply) => {
      await opts.connections.revoke(
        opts.provider,
        request.principal?.accountId as string,
        request.params.grant_id,
      );
      return reply.code(204).send(null);
    },
  );
  const me = (request: { principal: { accountId: string } | null }) => request.principal?.accountId as string;
  app.post(
    '/v1/developer/apps',
    { schema: s.registerClientRoute, preHandler: guard },
    async (request, reply) => reply.code(201).send(await opts.clients.register(me(request), request.body)),
  );
  app.get('/v1/developer/apps', { schema: s.listClientsRoute, preHandler: guard }, async (request) => ({
    clients: await opts.clients.list(me(request)),
  }));
  app.get('/v1/developer/apps/:client_id', { schema: s.getClientRoute, preHandler: guard }, async (request) =>
    opts.clients.get(me(request), request.params.client_id),
  );
  app.patch(
    '/v1/developer/apps/:client_id',
    { schema: s.updateClientRoute, preHandler: guard },
    async (request) => opts.clients.update(me(request), request.params.client_id, request.body),
  );
  app.post(
    '/v1/developer/apps/:client_id/secret',
    { schema: s.rotateSecretRoute, preHandler: guard },
    async (request) => opts.clients.rotateSecret(me(request), request.params.client_id),
  );
  app.delete(
    '/v1/developer/apps/:client_id',
    { schema: s.disableClientRoute, preHandler: guard },
    async (request, reply) => {
      await opts.clients.disable(me(request), request.params.client_id);
      return reply.code(204).send(null);
    },
  );
  app.get('/v1/consents/apps', { schema: s.listConsentsRoute, preHandler: guard }, async (request) => ({
    consents: (await opts.connections.consents(request.principal?.accountId as string)).map((c) => ({
      id: c.id,
      client_id: c.client_id,
      client_name: c.client_name,
      granted_scopes: c.granted_scopes,
      refused_scopes: c.refused_scopes,
      consent_text_version: c.consent_text_version,
      granted_at: c.granted_at,
      withdrawn_at: c.withdrawn_at,
      withdrawn_by: c.withdrawn_by,
    })),
  }));
};
