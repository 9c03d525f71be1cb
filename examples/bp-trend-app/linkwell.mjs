import * as oidc from 'openid-client';
import { isLoopbackHttp } from './config.mjs';

/** Refresh this long before the access token's expiry, so a request never leaves with a token about to lapse. */
const EXPIRY_MARGIN_MS = 30_000;

/** Discovery (OIDC Discovery 1.0 §4) and the client's credentials, as openid-client needs them. */
export async function discover(config) {
  const auth = config.clientSecret === null ? oidc.None() : oidc.ClientSecretBasic(config.clientSecret);
  // openid-client refuses plain HTTP unless told; allow it only for a Linkwell on this machine (`linkwell up`).
  const execute = isLoopbackHttp(config.issuer) ? [oidc.allowInsecureRequests] : [];
  return oidc.discovery(config.issuer, config.clientId, config.clientSecret ?? undefined, auth, { execute });
}

/**
 * Starts an authorization: PKCE S256 (RFC 7636, which Linkwell requires of every client), state against
 * CSRF on the callback (RFC 6749 §10.12) and a nonce bound to the ID token (OIDC Core §3.1.2.1).
 * Returns the URL to send the browser to and what the callback must check.
 */
export async function startAuthorization(client, config) {
  const pending = {
    verifier: oidc.randomPKCECodeVerifier(),
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
  };
  const scopes = config.scope.split(' ');
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: config.redirectUri,
    scope: config.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
    // OIDC Core §11: without prompt=consent the server ignores offline_access and issues no refresh token.
    ...(scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
  });
  return { url, pending };
}

function tokensOf(response, previous) {
  return {
    accessToken: response.access_token,
    // Linkwell rotates refresh tokens on every use: the new one replaces the old, which is now dead.
    refreshToken: response.refresh_token ?? previous?.refreshToken ?? null,
    expiresAt: Date.now() + (response.expiresIn() ?? 0) * 1000,
    scope: response.scope ?? previous?.scope ?? '',
    subject: response.claims()?.sub ?? previous?.subject ?? null,
  };
}

/** The callback: checks state, nonce and the PKCE verifier, and redeems the code. */
export async function finishAuthorization(client, callbackUrl, pending) {
  const response = await oidc.authorizationCodeGrant(client, callbackUrl, {
    pkceCodeVerifier: pending.verifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  });
  return tokensOf(response, undefined);
}

/**
 * One session's tokens, refreshed when they expire. Refreshes are single-flight: two trend requests that
 * both find the token expired must not both spend the refresh token, because a rotated refresh token used
 * a second time is treated as stolen and revokes the whole grant (OAuth 2.0 Security BCP §4.14.2).
 */
export class TokenHolder {
  #client;
  #refreshing = null;
  constructor(client, tokens) {
    this.#client = client;
    this.tokens = tokens;
  }

  async refresh() {
    if (this.tokens.refreshToken === null)
      throw new SessionEnded('no refresh token (offline_access not granted)');
    this.#refreshing ??= (async () => {
      try {
        const response = await oidc.refreshTokenGrant(this.#client, this.tokens.refreshToken);
        this.tokens = tokensOf(response, this.tokens);
      } catch (error) {
        // invalid_grant: the person disconnected the app, or the refresh token expired (RFC 6749 §5.2).
        throw new SessionEnded(error instanceof Error ? error.message : String(error));
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  async accessToken() {
    if (this.#refreshing) await this.#refreshing;
    if (Date.now() > this.tokens.expiresAt - EXPIRY_MARGIN_MS && this.tokens.refreshToken !== null) {
      await this.refresh();
    }
    return this.tokens.accessToken;
  }

  /** Revokes the refresh token (RFC 7009), which ends the grant; the access token lapses within minutes. */
  async revoke() {
    if (this.tokens.refreshToken === null) return;
    await oidc.tokenRevocation(this.#client, this.tokens.refreshToken, { token_type_hint: 'refresh_token' });
  }
}

export class SessionEnded extends Error {}

async function problemOf(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 300) };
  }
}

/**
 * GET a Linkwell API path with the session's access token. On 401 with reason `expired` the token is refreshed
 * once and the request repeated (RFC 6750 §3.1 invalid_token). Returns `{ ok: true, body }` for 200 and
 * `{ ok: false, status, problem, retryAfter }` for anything else: a 403 is a refusal, never an empty result.
 */
export async function apiGet(holder, issuer, path) {
  const url = new URL(path, issuer);
  const call = async () =>
    fetch(url, {
      headers: { authorization: `Bearer ${await holder.accessToken()}`, accept: 'application/json' },
    });
  let res = await call();
  if (res.status === 401) {
    const problem = await problemOf(res);
    if (problem.reason !== 'expired') return { ok: false, status: 401, problem, retryAfter: null };
    await holder.refresh();
    res = await call();
  }
  if (res.status === 200) return { ok: true, body: await res.json() };
  // 429 carries Retry-After (RFC 9110 §10.2.3): the app's hourly budget per person, or its per-minute one.
  return {
    ok: false,
    status: res.status,
    problem: await problemOf(res),
    retryAfter: res.headers.get('retry-after'),
  };
}
