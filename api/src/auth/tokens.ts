import { GATEWAY_TOKEN_AUDIENCE, TOKEN_ALGORITHM, TOKEN_ISSUER } from '@linkwell/firmware-protocol';
import { createSigner } from 'fast-jwt';
import type { SigningKeys } from './keys.js';

export { GATEWAY_TOKEN_AUDIENCE, TOKEN_ALGORITHM, TOKEN_ISSUER };

import { APP_SCOPES, SCOPES, type Scope } from './scopes.js';

export { SCOPES, type Scope };
/** Scopes of a user token when the caller names none: reading every data family; nothing is changed. */
export const DEFAULT_USER_SCOPES: readonly Scope[] = APP_SCOPES.filter((s) => s.endsWith('.read'));
/** What the console (a browser session, or tokens minted from one) may do: everything a person can. */
export const FIRST_PARTY_SCOPES: readonly Scope[] = SCOPES;

export interface UserTokenClaims {
  sub: string;
  typ: 'user';
  scope: string;
  iss: typeof TOKEN_ISSUER;
  iat: number;
  exp: number;
}

export interface GatewayTokenClaims {
  sub: string;
  typ: 'gateway';
  aud: typeof GATEWAY_TOKEN_AUDIENCE;
  iss: typeof TOKEN_ISSUER;
  iat: number;
  exp: number;
}

/**
 * A marketer's token (docs/orgs.md): one person acting for one organisation, for CRM routes only. It carries
 * no user scope, so every guard but `requireMarketer` refuses it.
 */
export interface MarketerTokenClaims {
  sub: string;
  typ: 'marketer';
  org: string;
  scope: typeof MARKETER_SCOPE;
  sid?: string;
  iss: typeof TOKEN_ISSUER;
  iat: number;
  exp: number;
}

export const MARKETER_SCOPE = 'crm' as const;
/** Short-lived: roles are re-checked on every request anyway, but a leaked token should not outlive a coffee break. */
export const MARKETER_TOKEN_TTL_SECONDS = 15 * 60;

export interface TokenIssuer {
  userToken(
    accountId: string,
    opts?: { scopes?: readonly Scope[]; ttlSeconds?: number; sessionId?: string },
  ): string;
  gatewayToken(gatewayId: string, opts?: { ttlSeconds?: number }): string;
  marketerToken(accountId: string, orgId: string, opts?: { ttlSeconds?: number; sessionId?: string }): string;
}

export const DEFAULT_USER_TOKEN_TTL_SECONDS = 3600;
export const DEFAULT_GATEWAY_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Signs user and gateway tokens without a running server (the CLI mints the demo token this way).
 * `now` (ms since epoch) is injectable so tests can mint tokens that are already expired.
 */
export function createTokenIssuer(keys: SigningKeys, opts: { now?: () => number } = {}): TokenIssuer {
  const now = opts.now ?? Date.now;
  const sign = (payload: Record<string, unknown>, ttlSeconds: number, aud?: string): string => {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new RangeError('ttlSeconds must be a positive integer');
    const signer = createSigner({
      key: keys.privateKeyPem,
      algorithm: TOKEN_ALGORITHM,
      iss: TOKEN_ISSUER,
      expiresIn: ttlSeconds * 1000,
      clockTimestamp: now(),
      ...(aud === undefined ? {} : { aud }),
    });
    return signer(payload);
  };
  return {
    userToken(
      accountId,
      { scopes = DEFAULT_USER_SCOPES, ttlSeconds = DEFAULT_USER_TOKEN_TTL_SECONDS, sessionId } = {},
    ) {
      const sid = sessionId === undefined ? {} : { sid: sessionId };
      return sign({ sub: accountId, typ: 'user', scope: scopes.join(' '), ...sid }, ttlSeconds);
    },
    gatewayToken(gatewayId, { ttlSeconds = DEFAULT_GATEWAY_TOKEN_TTL_SECONDS } = {}) {
      return sign({ sub: gatewayId, typ: 'gateway' }, ttlSeconds, GATEWAY_TOKEN_AUDIENCE);
    },
    marketerToken(accountId, orgId, { ttlSeconds = MARKETER_TOKEN_TTL_SECONDS, sessionId } = {}) {
      const sid = sessionId === undefined ? {} : { sid: sessionId };
      return sign({ sub: accountId, typ: 'marketer', org: orgId, scope: MARKETER_SCOPE, ...sid }, ttlSeconds);
    },
  };
}
