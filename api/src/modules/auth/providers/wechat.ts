import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { ApiError } from '../../../errors.js';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, type WechatProviderConfig } from './config.js';
import type { FlowSecrets, IdentityAssertion, UpstreamProvider } from './types.js';
import { denied, isUnreachable, unavailable, upstreamError } from './upstream-errors.js';

// Shapes of the WeChat Open Platform "Website App / WeChat Login" answers. Errors come as HTTP 200
// with {errcode, errmsg}; everything else is checked before use.
const ErrorAnswer = Type.Object({ errcode: Type.Number(), errmsg: Type.Optional(Type.String()) });
const TokenAnswer = Type.Object({
  access_token: Type.String({ minLength: 1 }),
  expires_in: Type.Number(),
  refresh_token: Type.String({ minLength: 1 }),
  openid: Type.String({ minLength: 1 }),
  scope: Type.Optional(Type.String()),
  unionid: Type.Optional(Type.String({ minLength: 1 })),
});
const UserInfoAnswer = Type.Object({
  openid: Type.String({ minLength: 1 }),
  nickname: Type.Optional(Type.String()),
  headimgurl: Type.Optional(Type.String()),
  unionid: Type.Optional(Type.String({ minLength: 1 })),
});
type Token = Type.Static<typeof TokenAnswer>;

/** errcodes that mean the person's upstream grant is gone: only a new sign-in helps. */
const REAUTH_CODES = new Set([42002, 40030]);
const ACCESS_TOKEN_EXPIRED = 42001;

/** Thrown inside this module for errcode answers, so callers can branch on the upstream code. */
class WechatAnswerError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`errcode ${errcode}: ${errmsg}`);
  }
}

/**
 * A WeChat/QQ-style OAuth 2.0 provider (not OpenID Connect, so hand-written: openid-client rejects its
 * token answers). There is no PKCE or nonce in this protocol; `state` and the server-side transaction carry
 * the binding. The subject is the `unionid` when the app has one, else `openid@appid`.
 */
export function createWechatProvider(
  cfg: WechatProviderConfig,
  fetchImpl: typeof fetch = fetch,
): UpstreamProvider {
  const timeoutMs = cfg.timeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS;

  async function call<T>(url: string, params: Record<string, string>, shape: Type.TSchema): Promise<T> {
    const target = new URL(url);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    let body: unknown;
    try {
      const res = await fetchImpl(target, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (!res.ok) throw upstreamError(cfg.id, `http_${res.status}`, `HTTP ${res.status}`);
      body = await res.json();
    } catch (err) {
      if (isUnreachable(err)) throw unavailable(cfg.id, err);
      if (err instanceof SyntaxError) throw upstreamError(cfg.id, 'malformed', 'a body that is not JSON');
      throw err;
    }
    if (Value.Check(ErrorAnswer, body) && body.errcode !== 0) {
      throw new WechatAnswerError(body.errcode, body.errmsg ?? '');
    }
    if (!Value.Check(shape, body)) throw upstreamError(cfg.id, 'malformed', 'an answer of the wrong shape');
    return body as T;
  }

  const asApiError = (err: unknown) => {
    if (!(err instanceof WechatAnswerError)) return err;
    if (REAUTH_CODES.has(err.errcode)) {
      return new ApiError(
        'API_ERR_UPSTREAM_REAUTH_REQUIRED',
        `${cfg.id} needs the person to sign in again.`,
        {
          provider: cfg.id,
          upstream_code: String(err.errcode),
        },
      );
    }
    return upstreamError(cfg.id, String(err.errcode), err.errmsg || `errcode ${err.errcode}`);
  };

  async function userInfo(token: Token) {
    try {
      return await call<Type.Static<typeof UserInfoAnswer>>(
        cfg.userinfo_url,
        { access_token: token.access_token, openid: token.openid },
        UserInfoAnswer,
      );
    } catch (err) {
      if (!(err instanceof WechatAnswerError) || err.errcode !== ACCESS_TOKEN_EXPIRED) throw err;
      // The 2-hour access token ran out between the exchange and this call: refresh once (30-day token).
      const fresh = await call<Token>(
        cfg.refresh_url,
        { appid: cfg.app_id, grant_type: 'refresh_token', refresh_token: token.refresh_token },
        TokenAnswer,
      );
      return call<Type.Static<typeof UserInfoAnswer>>(
        cfg.userinfo_url,
        { access_token: fresh.access_token, openid: fresh.openid },
        UserInfoAnswer,
      );
    }
  }

  return {
    id: cfg.id,
    kind: 'wechat',
    displayName: cfg.display_name,
    clientId: cfg.app_id,
    async authorizationUrl(flow: FlowSecrets) {
      const url = new URL(cfg.authorize_url);
      url.searchParams.set('appid', cfg.app_id);
      url.searchParams.set('redirect_uri', flow.redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', cfg.scopes.join(','));
      url.searchParams.set('state', flow.state);
      url.hash = 'wechat_redirect';
      return url;
    },
    async finish(callbackUrl: URL, _flow: FlowSecrets): Promise<IdentityAssertion> {
      const code = callbackUrl.searchParams.get('code');
      // WeChat sends the person back without a code when they cancel on the QR page.
      if (code === null || code === '') throw denied(cfg.id, 'no_code');
      try {
        const token = await call<Token>(
          cfg.token_url,
          { appid: cfg.app_id, secret: cfg.app_secret, code, grant_type: 'authorization_code' },
          TokenAnswer,
        );
        const info = await userInfo(token);
        if (info.openid !== token.openid)
          throw upstreamError(cfg.id, 'openid_mismatch', 'a different openid');
        const unionid = token.unionid ?? info.unionid;
        return {
          provider: cfg.id,
          issuer: new URL(cfg.authorize_url).origin,
          subject: unionid ?? `${token.openid}@${cfg.app_id}`,
          claims: {
            ...(info.nickname ? { name: info.nickname } : {}),
            ...(info.headimgurl ? { picture: info.headimgurl } : {}),
          },
          emailTrusted: false,
          appIds: [{ appId: cfg.app_id, openid: token.openid }],
        };
      } catch (err) {
        throw asApiError(err);
      }
    },
  };
}
