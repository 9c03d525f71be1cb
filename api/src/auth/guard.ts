import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { Csrf } from './csrf.js';
import type { SigningKeys } from './keys.js';
import { FAMILY_SCOPE_OF_METRIC, type Scope } from './scopes.js';
import { FIRST_PARTY_SCOPES, MARKETER_SCOPE, TOKEN_ALGORITHM, TOKEN_ISSUER } from './tokens.js';

/** Who is calling: from a verified user token, the browser session cookie, or an app's OAuth access token. */
export interface Principal {
  accountId: string;
  scopes: readonly string[];
  /** The browser session behind the credential; null for tokens minted outside a session (the CLI's). */
  sessionId: string | null;
  via: 'bearer' | 'cookie' | 'app' | 'marketer';
  /** For an app's token: the client, and the pairwise subject the app knows this person by. */
  app?: { clientId: string; subject: string; grantId: string | null };
  /** For a marketer token (docs/orgs.md): the organisation it was minted for. Only `requireMarketer` admits it. */
  marketer?: { orgId: string };
}

/** What an app's access token proved (docs/oauth.md); `accountId` is null for client-credentials tokens. */
export interface AppPrincipal {
  accountId: string | null;
  scopes: readonly string[];
  clientId: string;
  subject: string;
  grantId: string | null;
}

/** Verifies RFC 9068 access tokens from Linkwell's authorization server; the oauth module provides it. */
export interface AppTokenVerifier {
  verify(token: string): Promise<AppPrincipal>;
}

/** What the guard needs from the session store; the auth module provides it. */
export interface SessionLookup {
  /** The live session for a cookie value, or undefined. */
  byCookie(token: string): Promise<{ id: string; account_id: string } | undefined>;
  /** Whether the session with this id is live. */
  isLive(id: string): Promise<boolean>;
}

export interface SessionAuth {
  sessions: SessionLookup;
  csrf: Csrf;
  /** The console's origin, e.g. http://127.0.0.1:8080: a cookie request from any other is refused. */
  origin: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    sessionAuth: SessionAuth | null;
    appTokens: AppTokenVerifier | null;
    /** Per-app rate limits (docs/oauth.md "Rate limits"), run on every request an app token makes. */
    appRateLimit: ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | null;
  }
}

export const SESSION_COOKIE = 'lw_session';

export type UnauthorizedReason =
  | 'missing'
  | 'malformed'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'invalid_claims'
  | 'wrong_token_type'
  | 'session_expired'
  | 'session_revoked'
  | 'token_revoked';

// fast-jwt TokenError codes → the reason we report. Branching on codes, never on message text.
const REASONS: Record<string, UnauthorizedReason> = {
  FAST_JWT_EXPIRED: 'expired',
  FAST_JWT_INACTIVE: 'not_yet_valid',
  FAST_JWT_INVALID_SIGNATURE: 'invalid_signature',
  FAST_JWT_MISSING_SIGNATURE: 'invalid_signature',
  FAST_JWT_INVALID_ALGORITHM: 'invalid_signature',
  FAST_JWT_MALFORMED: 'malformed',
  FAST_JWT_INVALID_TYPE: 'malformed',
  FAST_JWT_INVALID_PAYLOAD: 'malformed',
  FAST_JWT_INVALID_CLAIM_TYPE: 'invalid_claims',
  FAST_JWT_INVALID_CLAIM_VALUE: 'invalid_claims',
  FAST_JWT_MISSING_REQUIRED_CLAIM: 'invalid_claims',
};

const MESSAGES: Record<UnauthorizedReason, string> = {
  missing: 'A bearer token (Authorization: Bearer <token>) or a session cookie is required.',
  malformed: 'The bearer token is not a well-formed JWT.',
  invalid_signature: 'The bearer token signature is not valid for this API.',
  expired: 'The bearer token has expired.',
  not_yet_valid: 'The bearer token is not valid yet.',
  invalid_claims: 'The bearer token has missing or wrong claims (issuer, subject, expiry).',
  wrong_token_type: 'This route needs a user token; the bearer token is of another type.',
  session_expired: 'The session has ended; sign in again.',
  session_revoked: 'The session behind this token was signed out or revoked.',
  token_revoked: 'The app connection behind this access token was revoked, or the app was disabled.',
};

export function unauthorized(reason: UnauthorizedReason): ApiError {
  return new ApiError('API_ERR_UNAUTHORIZED', MESSAGES[reason], { reason });
}

/**
 * Registers @fastify/jwt with the API's ES256 key pair. Verification pins the algorithm, the issuer and
 * the presence of sub/typ/exp, so a token signed by anyone else, or an HS256 token "signed" with the
 * public key, never passes.
 */
export function registerJwt(app: FastifyInstance, keys: SigningKeys): void {
  app.register(fastifyJwt, {
    secret: { private: keys.privateKeyPem, public: keys.publicKeyPem },
    sign: { algorithm: TOKEN_ALGORITHM, iss: TOKEN_ISSUER },
    verify: {
      allowedIss: TOKEN_ISSUER,
      algorithms: [TOKEN_ALGORITHM],
      requiredClaims: ['sub', 'typ', 'exp'],
      // Verified tokens are remembered (keyed by their hash) until they expire: a hot token costs a lookup.
      cache: 10_000,
    },
  });
  app.decorateRequest('principal', null);
  app.decorate('sessionAuth', null);
  app.decorate('appTokens', null);
  app.decorate('appRateLimit', null);
  // An app knows a person only by its pairwise subject: any place a response would carry the account id, the
  // app sees its subject instead (the account id never leaves the platform, docs/oauth.md).
  app.addHook('preSerialization', async (request, _reply, payload) => {
    const app = request.principal?.app;
    if (request.principal?.via !== 'app' || app === undefined) return payload;
    return replaceString(payload, request.principal.accountId, app.subject);
  });
}

function replaceString(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value === from ? to : value;
  if (Array.isArray(value)) return value.map((v) => replaceString(v, from, to));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceString(v, from, to);
    return out;
  }
  return value;
}

/** The JOSE header's `typ`, read without verifying: it only chooses which verifier runs. */
function tokenType(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as {
      typ?: unknown;
    };
    return typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  return /^Bearer +([^\s]+) *$/i.exec(header ?? '')?.[1];
}

function bearerToken(header: string): string {
  const token = bearerTokenOf(header);
  if (token === undefined) throw unauthorized('malformed');
  return token;
}

/** A fast-jwt verification error as API_ERR_UNAUTHORIZED with its reason; anything else is rethrown. */
export function rethrowTokenError(err: unknown): never {
  const reason = REASONS[(err as { code?: string }).code ?? ''];
  if (reason === undefined) throw err;
  throw unauthorized(reason);
}

function verifyClaims(request: FastifyRequest, token: string): Record<string, unknown> {
  try {
    return request.server.jwt.verify<Record<string, unknown>>(token);
  } catch (err) {
    rethrowTokenError(err);
  }
}

async function fromAppToken(request: FastifyRequest, token: string): Promise<Principal> {
  const verifier = request.server.appTokens;
  if (verifier === null) throw unauthorized('invalid_signature');
  const found = await verifier.verify(token);
  if (found.accountId === null) {
    throw new ApiError(
      'API_ERR_PERSON_REQUIRED',
      "This route reads or changes a person's data; a client-credentials token stands for no person.",
    );
  }
  return appPrincipalOf({ ...found, accountId: found.accountId });
}

/** The request principal of a verified app token that stands for a person. */
export function appPrincipalOf(found: AppPrincipal & { accountId: string }): Principal {
  return {
    accountId: found.accountId,
    scopes: found.scopes,
    sessionId: null,
    via: 'app',
    app: { clientId: found.clientId, subject: found.subject, grantId: found.grantId },
  };
}

async function fromBearer(request: FastifyRequest, header: string): Promise<Principal> {
  const token = bearerToken(header);
  // RFC 9068 §2.1: access tokens from the authorization server carry `typ: at+jwt`; first-party tokens never do.
  if (tokenType(token) === 'at+jwt') return fromAppToken(request, token);
  const claims = verifyClaims(request, token);
  if (claims.typ !== 'user' && claims.typ !== 'marketer') throw unauthorized('wrong_token_type');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw unauthorized('invalid_claims');
  const sid = typeof claims.sid === 'string' ? claims.sid : null;
  // A token from a browser session dies with it: sign-out and merges revoke sessions, not tokens.
  if (sid !== null && !(await request.server.sessionAuth?.sessions.isLive(sid))) {
    throw unauthorized('session_revoked');
  }
  if (claims.typ === 'marketer') return marketerPrincipal(claims.sub, sid, claims);
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  return { accountId: claims.sub, scopes, sessionId: sid, via: 'bearer' };
}

/** A verified marketer token's principal: the `crm` scope only, never a user scope (docs/orgs.md). */
function marketerPrincipal(
  accountId: string,
  sid: string | null,
  claims: Record<string, unknown>,
): Principal {
  if (typeof claims.org !== 'string' || claims.org === '' || claims.scope !== MARKETER_SCOPE) {
    throw unauthorized('invalid_claims');
  }
  return {
    accountId,
    scopes: [MARKETER_SCOPE],
    sessionId: sid,
    via: 'marketer',
    marketer: { orgId: claims.org },
  };
}

/** Default deny (docs/orgs.md): a marketer principal reaches no route but those guarded by `requireMarketer`. */
export function marketerForbidden(): ApiError {
  return new ApiError(
    'API_ERR_MARKETER_FORBIDDEN',
    'A marketer token reaches only CRM routes; it never reads readings, trends, FHIR, devices or households.',
  );
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function fromCookie(request: FastifyRequest, auth: SessionAuth, cookie: string): Promise<Principal> {
  const session = await auth.sessions.byCookie(cookie);
  if (!session) throw unauthorized('session_expired');
  if (!SAFE_METHODS.has(request.method)) {
    // Cookies ride along on cross-site requests; a state change also needs proof the page is ours.
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== auth.origin) {
      throw new ApiError('API_ERR_CSRF', 'Cross-origin request refused.', { origin });
    }
    const token = request.headers['x-csrf-token'];
    if (!auth.csrf.verify(session.id, typeof token === 'string' ? token : undefined)) {
      throw new ApiError('API_ERR_CSRF', 'A valid x-csrf-token header is required (GET /v1/auth/session).');
    }
  }
  return { accountId: session.account_id, scopes: FIRST_PARTY_SCOPES, sessionId: session.id, via: 'cookie' };
}

/**
 * The caller's principal from a bearer token or the session cookie (with CSRF checks on state changes). A
 * marketer token is verified, then refused with API_ERR_MARKETER_FORBIDDEN unless the caller is
 * `requireMarketer` (`allowMarketer`), so every guard built on this denies it by default.
 */
export async function authenticate(
  request: FastifyRequest,
  opts: { allowMarketer?: boolean } = {},
): Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined && header !== '') {
    const principal = await fromBearer(request, header);
    if (principal.via === 'marketer' && opts.allowMarketer !== true) throw marketerForbidden();
    return principal;
  }
  const auth = request.server.sessionAuth;
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (auth && cookie) return fromCookie(request, auth, cookie);
  throw unauthorized('missing');
}

export function insufficientScope(scope: string): ApiError {
  return new ApiError('API_ERR_INSUFFICIENT_SCOPE', `This route needs the ${scope} scope.`, {
    required: scope,
    // RFC 6750 §3.1's error code, for OAuth clients that look for it in the body too.
    error: 'insufficient_scope',
  });
}

export interface GuardOptions {
  /**
   * The trend metric the request reads (from its path or query): its data family's scope is needed too,
   * so a partial grant reads heart rate but gets 403 insufficient_scope on blood pressure.
   */
  metric?: (request: FastifyRequest) => string | undefined;
}

/** What a guard checks, attached to the guard so the OpenAPI document and tests can read it off the route. */
export interface ScopeDeclaration {
  scope: Scope;
  /** The metric's data-family scope is needed too. */
  perMetric: boolean;
}

export function declaredScope(handler: unknown): ScopeDeclaration | undefined {
  return (handler as { scopeDeclaration?: ScopeDeclaration } | null)?.scopeDeclaration;
}

/**
 * preHandler for user routes: a valid user credential that carries `scope` (and, with `metric`, the scope of
 * the metric's data family). Sets `request.principal`; throws API_ERR_UNAUTHORIZED, API_ERR_CSRF,
 * API_ERR_INSUFFICIENT_SCOPE or API_ERR_PERSON_REQUIRED. App tokens also pass the app rate limits, and may
 * name a person only by their own pairwise subject in `?account=`.
 */
/**
 * preHandler for routes that check scopes themselves (the FHIR routes decide by code or id): any user
 * credential; app tokens pass the app rate limits and may name only their own person in `?account=`.
 */
export async function requireAnyUser(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
  const principal = await authenticate(request);
  request.principal = principal;
  if (principal.via === 'app') {
    await request.server.appRateLimit?.(request, reply);
    narrowAccountParam(request, principal);
  }
  return principal;
}

export function requireUser(scope: Scope, opts: GuardOptions = {}) {
  const guard = async function userGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = await requireAnyUser(request, reply);
    const family = opts.metric?.(request);
    // Own keys only: `constructor` and `__proto__` are not metrics (the route answers them 404).
    const familyScope =
      family !== undefined && Object.hasOwn(FAMILY_SCOPE_OF_METRIC, family)
        ? FAMILY_SCOPE_OF_METRIC[family]
        : undefined;
    for (const needed of familyScope === undefined ? [scope] : [scope, familyScope]) {
      if (!principal.scopes.includes(needed)) throw insufficientScope(needed);
    }
  };
  return Object.assign(guard, { scopeDeclaration: { scope, perMetric: opts.metric !== undefined } });
}

/**
 * `?account=` reads another household member for people; an app knows only its own person, by subject. Its
 * subject is translated to the account; anything else reads as an account nobody shares (the route's 404).
 */
function narrowAccountParam(request: FastifyRequest, principal: Principal): void {
  const query = request.query as Record<string, unknown> | undefined;
  if (query === undefined || query === null || typeof query !== 'object' || !('account' in query)) return;
  query.account =
    query.account === principal.app?.subject ? principal.accountId : `app-unknown:${String(query.account)}`;
}
