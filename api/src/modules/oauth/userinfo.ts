import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { type AppTokenVerifier, appPrincipalOf, bearerTokenOf } from '../../auth/guard.js';
import { isApiError } from '../../errors.js';
import { OAUTH_PATHS } from './options.js';

/**
 * The UserInfo endpoint (OIDC Core §5.3), served by the API rather than by oidc-provider: every access token is
 * an RFC 9068 JWT for the API resource, and oidc-provider's own endpoint refuses tokens with an audience (it
 * wants an opaque token with none). Clients such as openid-client call UserInfo with the access token from the
 * code exchange, so the endpoint accepts exactly what the resource server accepts, and answers the pairwise
 * `sub` (the only claim offered, `claims: { openid: ['sub'] }`) when the grant includes `openid`.
 */
export function registerUserinfo(
  app: FastifyInstance,
  deps: { verifier: AppTokenVerifier; provider: Provider },
): void {
  // RFC 6750 §3.1: an invalid, expired or revoked token is `invalid_token` with 401 and a Bearer challenge.
  const refuse = (reply: FastifyReply, description: string) =>
    reply
      .code(401)
      .header('www-authenticate', `Bearer realm="linkwell", error="invalid_token"`)
      .header('cache-control', 'no-store')
      .send({ error: 'invalid_token', error_description: description });

  async function userinfo(request: FastifyRequest, reply: FastifyReply) {
    const token = bearerTokenOf(request.headers.authorization);
    if (token === undefined) return refuse(reply, 'A bearer access token is required (RFC 6750 §2.1).');
    let found: Awaited<ReturnType<AppTokenVerifier['verify']>>;
    try {
      found = await deps.verifier.verify(token);
    } catch (err) {
      if (isApiError(err)) return refuse(reply, err.message);
      throw err;
    }
    // A client-credentials token stands for no person: there is no end-user to describe (OIDC Core §5.3).
    if (found.accountId === null || found.grantId === null) {
      return refuse(reply, 'This access token was not issued for an end-user.');
    }
    // The app's request budget counts here too (docs/oauth.md "Rate limits"); a refusal is the API's 429 problem.
    request.principal = appPrincipalOf({ ...found, accountId: found.accountId });
    await app.appRateLimit?.(request, reply);
    const grant = await deps.provider.Grant.find(found.grantId);
    if (!grant?.getOIDCScope().split(' ').includes('openid')) {
      return reply
        .code(403)
        .header('www-authenticate', `Bearer realm="linkwell", error="insufficient_scope", scope="openid"`)
        .header('cache-control', 'no-store')
        .send({ error: 'insufficient_scope', error_description: 'The grant does not include openid.' });
    }
    return reply.header('cache-control', 'no-store').send({ sub: found.subject });
  }

  app.register(async (scope) => {
    // OIDC Core §5.3.1 allows POST; the token still comes in the Authorization header, so a form body is
    // accepted and ignored rather than refused with 415.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_req, _body, done) => done(null, {}),
    );
    const schema = {
      tags: ['oauth'],
      summary:
        'OpenID Connect UserInfo (OIDC Core §5.3): the pairwise sub of the person behind the access token',
    };
    scope.get(OAUTH_PATHS.routes.userinfo, { schema }, userinfo);
    scope.post(OAUTH_PATHS.routes.userinfo, { schema }, userinfo);
  });
}
