import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { SigningKeys } from './keys.js';
import { type Scope, TOKEN_ALGORITHM, TOKEN_ISSUER } from './tokens.js';

/** Who is calling, from a verified user token. */
export interface Principal {
  accountId: string;
  scopes: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export type UnauthorizedReason =
  | 'missing'
  | 'malformed'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'invalid_claims'
  | 'wrong_token_type';

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
  missing: 'A bearer token is required (Authorization: Bearer <token>).',
  malformed: 'The bearer token is not a well-formed JWT.',
  invalid_signature: 'The bearer token signature is not valid for this API.',
  expired: 'The bearer token has expired.',
  not_yet_valid: 'The bearer token is not valid yet.',
  invalid_claims: 'The bearer token has missing or wrong claims (issuer, subject, expiry).',
  wrong_token_type: 'This route needs a user token; the bearer token is of another type.',
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
}

function bearerToken(header: string | undefined): string {
  if (header === undefined || header === '') throw unauthorized('missing');
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

/**
 * preHandler for user routes: a valid user token (not a gateway token) that carries `scope`.
 * Sets `request.principal`; throws API_ERR_UNAUTHORIZED or API_ERR_INSUFFICIENT_SCOPE.
 */
export function requireUser(scope: Scope) {
  return async function userGuard(request: FastifyRequest): Promise<void> {
    const claims = verifyClaims(request, bearerToken(request.headers.authorization));
    if (claims.typ !== 'user') throw unauthorized('wrong_token_type');
    if (typeof claims.sub !== 'string' || claims.sub === '') throw unauthorized('invalid_claims');
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (!scopes.includes(scope)) {
      throw new ApiError('API_ERR_INSUFFICIENT_SCOPE', `This route needs the ${scope} scope.`, {
        required: scope,
      });
    }
    request.principal = { accountId: claims.sub, scopes };
  };
}
