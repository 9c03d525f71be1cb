import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { Csrf } from './csrf.js';
import type { SigningKeys } from './keys.js';
import { FIRST_PARTY_SCOPES, type Scope, TOKEN_ALGORITHM, TOKEN_ISSUER } from './tokens.js';

/** Who is calling: from a verified user token, or from the browser session cookie. */
export interface Principal {
  accountId: string;
  scopes: readonly string[];
  /** The browser session behind the credential; null for tokens minted outside a session (the CLI's). */
  sessionId: string | null;
  via: 'bearer' | 'cookie';
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
  | 'session_revoked';

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
    },
  });
  app.decorateRequest('principal', null);
  app.decorate('sessionAuth', null);
}

function bearerToken(header: string): string {
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match?.[1]) throw unauthorized('malformed');
  return match[1];
}

function verifyClaims(request: FastifyRequest, token: string): Record<string, unknown> {
  try {
    return request.server.jwt.verify<Record<string, unknown>>(token);
  } catch (err) {
    const reason = REASONS[(err as { code?: string }).code ?? ''];
    if (reason === undefined) throw err;
    throw unauthorized(reason);
  }
}

async function fromBearer(request: FastifyRequest, header: string): Promise<Principal> {
  const claims = verifyClaims(request, bearerToken(header));
  if (claims.typ !== 'user') throw unauthorized('wrong_token_type');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw unauthorized('invalid_claims');
  const sid = typeof claims.sid === 'string' ? claims.sid : null;
  // A token from a browser session dies with it: sign-out and merges revoke sessions, not tokens.
  if (sid !== null && !(await request.server.sessionAuth?.sessions.isLive(sid))) {
    throw unauthorized('session_revoked');
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  return { accountId: claims.sub, scopes, sessionId: sid, via: 'bearer' };
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

/** The caller's principal from a bearer token or the session cookie (with CSRF checks on state changes). */
export async function authenticate(request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined && header !== '') return fromBearer(request, header);
  const auth = request.server.sessionAuth;
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (auth && cookie) return fromCookie(request, auth, cookie);
  throw unauthorized('missing');
}

/**
 * preHandler for user routes: a valid user credential that carries `scope`.
 * Sets `request.principal`; throws API_ERR_UNAUTHORIZED, API_ERR_CSRF or API_ERR_INSUFFICIENT_SCOPE.
 */
export function requireUser(scope: Scope) {
  return async function userGuard(request: FastifyRequest): Promise<void> {
    const principal = await authenticate(request);
    if (!principal.scopes.includes(scope)) {
      throw new ApiError('API_ERR_INSUFFICIENT_SCOPE', `This route needs the ${scope} scope.`, {
        required: scope,
      });
    }
    request.principal = principal;
  };
}
