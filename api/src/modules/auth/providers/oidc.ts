import * as client from 'openid-client';
import { ApiError } from '../../../errors.js';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, type OidcProviderConfig } from './config.js';
import type { FlowSecrets, IdentityAssertion, UpstreamProvider } from './types.js';
import { denied, isUnreachable, unavailable, upstreamError } from './upstream-errors.js';

// oauth4webapi codes for a response that is there but fails validation: for an ID token these are the
// OIDC Core §3.1.3.7 checks (alg, signature, iss, aud, exp, nonce); the refusal names the check.
const VALIDATION_CODES = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWS_SIGNATURE_VERIFICATION_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_MISSING_REQUIRED_CLAIM',
  'OAUTH_UNSUPPORTED_OPERATION',
  'OAUTH_JWS_ALGORITHM_NOT_ALLOWED',
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
      {
        provider,
        reason: code,
        check: err instanceof Error ? err.message : String(err),
      },
    );
  }
  return upstreamError(provider, typeof code === 'string' ? code : 'unexpected', 'an unexpected answer');
}

function stringClaim(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * A generic OpenID Connect provider through openid-client: discovery (cached once it succeeds),
 * authorization code with PKCE S256 (RFC 7636), `state` and `nonce`, and ID token validation with exactly
 * the configured `alg` — `none` and HMAC algorithms are never accepted (RFC 8725 §3.1).
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
