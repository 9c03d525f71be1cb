import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance } from 'fastify';
import type { AppPrincipal, AppTokenVerifier } from '../../auth/guard.js';
import { rethrowTokenError, unauthorized } from '../../auth/guard.js';
import type { Database } from '../../db/sql-client.js';
import { GRANT_LIVENESS_CACHE_MS } from './options.js';
import { registeredSector } from './provider.js';
import { clientsRepository } from './repository/clients.js';
import { grantIsLive } from './repository/models.js';
import { subjectsRepository } from './repository/subjects.js';

/** A small time-bounded cache: entries live `ttlMs`, and the oldest go first past `max` entries. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number,
  ) {}
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }
  set(key: string, value: V): void {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  /** The cached value, or `load`'s, kept when `keep` says so (default: always). */
  async load(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = await load();
    if (keep(value)) this.set(key, value);
    return value;
  }
}

export interface ResourceServerDeps {
  db: Database;
  issuer: string;
  apiResource: string;
  now: () => number;
}

interface ClientFacts {
  sector: string;
  disabled: boolean;
}

const APP_JWT = 'appJwt';

declare module '@fastify/jwt' {
  interface JWT {
    appJwt: import('@fastify/jwt').JWT;
  }
}

interface AccessTokenClaims {
  exp?: unknown;
  sub?: unknown;
  client_id?: unknown;
  scope?: unknown;
  gid?: unknown;
}

/**
 * The resource-server half: verifies RFC 9068 access tokens with @fastify/jwt against the authorization server's
 * key (the one /oauth2/jwks publishes), pinning `alg` ES256, issuer, audience and expiry (the caller has already
 * checked `typ: at+jwt`), then maps the pairwise `sub` back to the account. The account id never leaves: the
 * principal keeps the subject the app knows. A grant revoked anywhere stops its tokens within
 * GRANT_LIVENESS_CACHE_MS (docs/oauth.md).
 */
export function registerResourceServer(
  app: FastifyInstance,
  keys: { publicKeyPem: string; privateKeyPem: string },
  deps: ResourceServerDeps,
): { verifier: AppTokenVerifier; forgetGrant(grantId: string): void; forgetClient(clientId: string): void } {
  const clients = clientsRepository(deps.db);
  const subjects = subjectsRepository(deps.db);
  const grantCache = new TtlCache<boolean>(GRANT_LIVENESS_CACHE_MS, 100_000, deps.now);
  const subjectCache = new TtlCache<{ sector: string; accountId: string } | undefined>(
    5 * 60_000,
    100_000,
    deps.now,
  );
  const clientCache = new TtlCache<ClientFacts | null>(GRANT_LIVENESS_CACHE_MS, 10_000, deps.now);

  app.register(fastifyJwt, {
    namespace: APP_JWT,
    secret: { private: keys.privateKeyPem, public: keys.publicKeyPem },
    verify: {
      algorithms: ['ES256'],
      allowedIss: deps.issuer,
      allowedAud: deps.apiResource,
      requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'scope'],
      // fast-jwt keeps verified tokens (keyed by their hash) until they expire, so a hot token costs a lookup.
      cache: 10_000,
    },
  });

  const clientFacts = (clientId: string) =>
    clientCache.load(clientId, async (): Promise<ClientFacts | null> => {
      const row = await clients.find(clientId);
      return row === undefined
        ? null
        : { sector: registeredSector(clientId, row.redirect_uris), disabled: row.disabled_at !== null };
    });
  const grantLive = (grantId: string) =>
    grantCache.load(grantId, () => grantIsLive(deps.db, grantId, deps.now()));
  // An unknown subject is not remembered: it may be written a moment later by the token's own issuance.
  const subjectOf = (sub: string) =>
    subjectCache.load(
      sub,
      () => subjects.resolve(sub),
      (found) => found !== undefined,
    );

  const verifier: AppTokenVerifier = {
    async verify(token): Promise<AppPrincipal> {
      let claims: AccessTokenClaims;
      try {
        // No per-call options: @fastify/jwt would build a new verifier (and parse the key) on every call, and
        // fast-jwt's cache of verified tokens would never be hit (bench:api, docs/benchmarks.md).
        claims = app.jwt[APP_JWT].verify<AccessTokenClaims>(token);
      } catch (err) {
        rethrowTokenError(err);
      }
      // The API's clock (tests move it) also bounds the token's life, beside the verifier's real clock.
      if (typeof claims.exp === 'number' && claims.exp * 1000 <= deps.now()) throw unauthorized('expired');
      const { sub, client_id: clientId, scope, gid } = claims;
      if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof scope !== 'string') {
        throw unauthorized('invalid_claims');
      }
      const client = await clientFacts(clientId);
      if (client === null || client.disabled) throw unauthorized('token_revoked');
      if (typeof gid === 'string' && !(await grantLive(gid))) throw unauthorized('token_revoked');
      const scopes = scope.split(' ').filter(Boolean);
      // A client-credentials token names the client itself (RFC 9068 §2.2): a partner back end, no person.
      if (sub === clientId && gid === undefined) {
        return { accountId: null, scopes, clientId, subject: sub, grantId: null };
      }
      const person = await subjectOf(sub);
      // The subject must have been issued for this client's sector: a token cannot borrow another app's `sub`.
      if (person === undefined || person.sector !== client.sector || typeof gid !== 'string') {
        throw unauthorized('invalid_claims');
      }
      return { accountId: person.accountId, scopes, clientId, subject: sub, grantId: gid };
    },
  };
  return {
    verifier,
    forgetGrant: (id) => grantCache.delete(id),
    forgetClient: (id) => clientCache.delete(id),
  };
}
