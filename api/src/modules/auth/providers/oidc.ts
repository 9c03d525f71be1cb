import * as client from 'openid-client';
import { ApiError } from '../../../errors.js';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, type OidcProviderConfig } from './config.js';
import type { FlowSecrets, IdentityAssertion, UpstreamProvider } from './types.js';
import { denied, isUnreachable, unavailable, upstreamError } from './upstream-errors.js';

// oauth4webapi codes for a response that is there but fails validation: for an ID token these are the
// OIDC Core §3.1.3.7 checks (alg, signature, iss, aud, exp, nonce), for the authorization response the
// RFC 9207 `iss` and the parameters; the refusal names the check.
const VALIDATION_CODES = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_UNSUPPORTED_OPERATION',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_KEY_SELECTION_FAILED',
]);

function mapError(provider: string, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    return err.error === 'access_denied' || err.error === 'login_required' || err.error === 'consent_required'
      ? denied(provider, err.error)
      : upstreamError(provider, err.error, err.error_description ?? err.error);
  }
  if (err instanceof client.ResponseBodyError) {
    return upstreamError(provider, err.error, err.error_description ?? err.error);
  }
  if (isUnreachable(err)) return unavailable(provider, err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && VALIDATION_CODES.has(code)) {
    return new ApiError(
      'API_ERR_ID_TOKEN_INVALID',
      `The ${provider} ID token or response failed validation.`,
      { provider, ...failedCheck(err) },
    );
  }
  return upstreamError(provider, typeof code === 'string' ? code : 'unexpected', 'an unexpected answer');
}

/**
 * Which check failed, from the error openid-client wraps (its own message is a generic "invalid response
 * encountered"): `reason` is a claim name (`nonce`, `iss`, `aud`, `exp`, …), `alg`, `signature`,
 * `authorization_response`, `claims`, or `response`; `check` is oauth4webapi's sentence. Never a value.
 */
function failedCheck(err: unknown): { reason: string; check: string } {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const check = inner instanceof Error ? inner.message : String(inner);
  const code = (inner as { code?: unknown }).code;
  const cause = (inner as { cause?: unknown }).cause;
  const has = (key: string) => typeof cause === 'object' && cause !== null && key in cause;
  const claim = has('claim') ? (cause as { claim: unknown }).claim : undefined;
  if (typeof claim === 'string') return { reason: claim, check };
  if (code === 'OAUTH_KEY_SELECTION_FAILED' || has('signature')) return { reason: 'signature', check };
  if ((has('header') && has('expected')) || has('alg')) return { reason: 'alg', check };
  if (has('parameters')) return { reason: 'authorization_response', check };
  if (has('claims')) return { reason: 'claims', check };
  return { reason: 'response', check };
}

/**
 * An authorization response carries a `code` or an `error` (RFC 6749 §4.1.2, §4.1.2.1); one with neither
 * is refused before anything is sent to the provider. (A repeated parameter never gets here: the callback
 * route's schema admits one value per parameter.)
 */
function checkAuthorizationResponse(provider: string, url: URL): void {
  if (url.searchParams.get('code') || url.searchParams.get('error')) return;
  throw new ApiError('API_ERR_ID_TOKEN_INVALID', `The ${provider} authorization response is malformed.`, {
    provider,
    reason: 'authorization_response',
    check: 'neither "code" nor "error" is present',
  });
}

function stringClaim(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * A generic OpenID Connect provider through openid-client: discovery (cached once it succeeds),
 * authorization code with PKCE S256 (RFC 7636), `state` and `nonce`, and ID token validation with exactly
 * the configured `alg` — `none` and HMAC algorithms are never accepted (RFC 8725 §3.1) — and a signature
 * checked against the issuer's published keys.
 */
export function createOidcProvider(cfg: OidcProviderConfig): UpstreamProvider {
  const timeoutMs = cfg.timeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  let discovered: Promise<client.Configuration> | undefined;

  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(
        new URL(cfg.issuer),
        cfg.client_id,
        { client_secret: cfg.client_secret, id_token_signed_response_alg: cfg.id_token_alg },
        client.ClientSecretPost(cfg.client_secret),
        {
          timeout: Math.ceil(timeoutMs / 1000),
          // Plain http only for loopback issuers (tests and `linkwell up`'s simulated providers).
          ...(new URL(cfg.issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      .then((c) => {
        c.timeout = Math.ceil(timeoutMs / 1000);
        // OIDC Core §3.1.3.7 step 6 lets TLS stand in for the ID token's signature, and openid-client then
        // skips it; verify it anyway against the issuer's JWKS (fetched once, refreshed on an unknown kid).
        client.enableNonRepudiationChecks(c);
        return c;
      });
    // A failed discovery is retried on the next sign-in instead of being cached.
    discovered.catch(() => {
      discovered = undefined;
    });
    return discovered.catch((err: unknown) => {
      throw mapError(cfg.id, err);
    });
  };

  return {
    id: cfg.id,
    kind: 'oidc',
    displayName: cfg.display_name,
    clientId: cfg.client_id,
    async authorizationUrl(flow: FlowSecrets) {
      const c = await configuration();
      const params: Record<string, string> = {
        redirect_uri: flow.redirectUri,
        scope: cfg.scopes.join(' '),
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
      };
      if (flow.forceLogin) params.prompt = 'login';
      return client.buildAuthorizationUrl(c, params);
    },
    async finish(callbackUrl: URL, flow: FlowSecrets): Promise<IdentityAssertion> {
      checkAuthorizationResponse(cfg.id, callbackUrl);
      const c = await configuration();
      try {
        const tokens = await client.authorizationCodeGrant(
          c,
          callbackUrl,
          {
            pkceCodeVerifier: flow.codeVerifier,
            expectedState: flow.state,
            expectedNonce: flow.nonce,
            idTokenExpected: true,
          },
          // RFC 6749 §4.1.3: exactly the redirect_uri of the authorization request.
          { redirect_uri: flow.redirectUri },
        );
        const idClaims = tokens.claims();
        if (!idClaims) throw upstreamError(cfg.id, 'no_id_token', 'no ID token');
        // Providers may keep profile claims out of the ID token when an access token can fetch them.
        const info = await client.fetchUserInfo(c, tokens.access_token, idClaims.sub);
        const merged = { ...info, ...idClaims };
        const email = stringClaim(merged.email);
        return {
          provider: cfg.id,
          issuer: idClaims.iss,
          subject: idClaims.sub,
          claims: {
            ...(stringClaim(merged.name) ? { name: stringClaim(merged.name) } : {}),
            ...(stringClaim(merged.picture) ? { picture: stringClaim(merged.picture) } : {}),
            ...(email ? { email, email_verified: merged.email_verified === true } : {}),
          },
          emailTrusted: cfg.trust_email_verified,
          appIds: [],
        };
      } catch (err) {
        throw mapError(cfg.id, err);
      }
    },
  };
}
