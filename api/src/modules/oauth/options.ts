/** Where the authorization server's endpoints live under the issuer (which is the API's origin). */
export const OAUTH_PATHS = {
  prefix: '/oauth2/',
  interaction: '/oauth2/interaction',
  routes: {
    authorization: '/oauth2/authorize',
    token: '/oauth2/token',
    jwks: '/oauth2/jwks',
    userinfo: '/oauth2/userinfo',
    introspection: '/oauth2/introspect',
    revocation: '/oauth2/revoke',
    end_session: '/oauth2/logout',
    code_verification: '/oauth2/device',
    device_authorization: '/oauth2/device/auth',
    pushed_authorization_request: '/oauth2/par',
    registration: '/oauth2/register',
    backchannel_authentication: '/oauth2/backchannel',
  },
} as const;

export interface OAuthTtl {
  /** JWT access tokens (RFC 9068); short, because a JWT is checked offline. Default 10 minutes. */
  accessTokenSeconds: number;
  /** Refresh tokens and grants, rotated on every use. Default 90 days. */
  refreshTokenSeconds: number;
}

export const DEFAULT_OAUTH_TTL: OAuthTtl = { accessTokenSeconds: 600, refreshTokenSeconds: 90 * 86_400 };

/** How long the resource server trusts a grant it found live before asking the database again. */
export const GRANT_LIVENESS_CACHE_MS = 30_000;

/** The version of the consent text the consent page shows; recorded with every grant. */
export const CONSENT_TEXT_VERSION = '2026-12-07.1';
