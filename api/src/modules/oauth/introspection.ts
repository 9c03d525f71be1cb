import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AppTokenVerifier } from '../../auth/guard.js';
import { isApiError } from '../../errors.js';

type Next = () => Promise<unknown>;

/**
 * RFC 7662 introspection of the server's own RFC 9068 access tokens. oidc-provider introspects only what it
 * stores (refresh tokens) and answers `unsupported_token_type` for any JWT, after it has authenticated the
 * client. This middleware takes over exactly there: the token is checked as the resource server checks it
 * (signature, issuer, audience, expiry, live grant), and only the client it was issued to learns anything
 * about it, so one app can never learn another app's pairwise `sub` (RFC 7662 §4 lets the server decide what
 * it tells whom).
 */
export function jwtIntrospection(verifier: AppTokenVerifier) {
  return async (ctx: KoaContextWithOIDC, next: Next): Promise<void> => {
    await next();
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.oidc?.route !== 'introspection' || body?.error !== 'unsupported_token_type') return;
    const client = ctx.oidc.client;
    const token = ctx.oidc.params?.token;
    if (client === undefined || typeof token !== 'string') return;
    ctx.status = 200;
    ctx.type = 'application/json';
    // RFC 7662 §2.2: an invalid, expired, revoked or someone else's token is just `active: false`.
    ctx.body = { active: false };
    let found: Awaited<ReturnType<AppTokenVerifier['verify']>>;
    try {
      found = await verifier.verify(token);
    } catch (err) {
      if (isApiError(err)) return;
      throw err;
    }
    if (found.clientId !== client.clientId) return;
    // Verified above, so the payload can be read as is.
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    ctx.body = {
      active: true,
      sub: found.subject,
      client_id: found.clientId,
      scope: claims.scope,
      exp: claims.exp,
      iat: claims.iat,
      iss: claims.iss,
      aud: claims.aud,
      jti: claims.jti,
      token_type: 'Bearer',
    };
  };
}
