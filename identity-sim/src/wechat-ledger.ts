import { createHmac, randomBytes } from 'node:crypto';
import { IdentitySimError } from './errors.js';
import type { DemoPerson, WechatApp } from './types.js';
import { type TokenAnswer, type UserinfoAnswer, type WechatError, WX } from './wechat-wire.js';

const SECOND = 1000;
const CODE_LIFE_MS = 5 * 60 * SECOND;
const ACCESS_TOKEN_LIFE_S = 7200;
const REFRESH_TOKEN_LIFE_MS = 30 * 24 * 3600 * SECOND;
const SCOPE = 'snsapi_login';

interface Grant {
  app: WechatApp;
  person: DemoPerson;
}
interface Code extends Grant {
  expiresAt: number;
  used: boolean;
}
interface Token extends Grant {
  expiresAt: number;
}
interface Refresh extends Token {
  accessToken: string;
}

export type Query = Pick<URLSearchParams, 'get'>;

/** Codes, tokens and identifiers of one WeChat-style provider, on an injectable clock. No I/O. */
export class WechatLedger {
  readonly #codes = new Map<string, Code>();
  readonly #accessTokens = new Map<string, Token>();
  readonly #refreshTokens = new Map<string, Refresh>();
  readonly #idKey: string;

  constructor(
    readonly people: readonly DemoPerson[],
    readonly apps: readonly WechatApp[],
    private readonly now: () => number,
    private readonly withUnionid: boolean,
    displayName: string,
  ) {
    // Identifiers must survive restarts (a relying party stores them), so they derive from fixed inputs only.
    this.#idKey = `identity-sim/wechat/${displayName}`;
  }

  app(appid: string | null): WechatApp | undefined {
    return this.apps.find((a) => a.appid === appid);
  }

  person(id: string | null): DemoPerson | undefined {
    return this.people.find((p) => p.id === id);
  }

  /** Per (app, person), opaque and stable: 'o' + 27 characters, the shape of a real openid. */
  openidOf(appid: string, personId: string): string {
    if (!this.app(appid)) throw new IdentitySimError('IDSIM_ERR_UNKNOWN_APP', `no app ${appid}`);
    return `o${this.#mac(`openid\n${appid}\n${this.#known(personId).id}`)}`;
  }

  /** Per person across every app of the open-platform account. */
  unionidOf(personId: string): string {
    return `o${this.#mac(`unionid\n${this.#known(personId).id}`)}`;
  }

  /** A single-use code for the redirect after the person "scans" (Website App WeChat Login, step 1). */
  issueCode(app: WechatApp, person: DemoPerson): string {
    for (const [old, entry] of this.#codes) if (entry.expiresAt <= this.now()) this.#codes.delete(old);
    const code = randomBytes(24).toString('base64url');
    this.#codes.set(code, { app, person, expiresAt: this.now() + CODE_LIFE_MS, used: false });
    return code;
  }

  /** GET /sns/oauth2/access_token (step 2): checks in WeChat's order, appid, secret, code. */
  exchangeCode(q: Query): TokenAnswer | WechatError {
    const app = this.app(q.get('appid'));
    if (!q.get('appid')) return WX.appidMissing;
    if (!app) return WX.invalidAppid;
    if (!q.get('secret')) return WX.appsecretMissing;
    if (q.get('secret') !== app.secret) return WX.invalidAppsecret;
    const code = q.get('code');
    if (!code) return WX.missingCode;
    if (q.get('grant_type') !== 'authorization_code') return WX.invalidGrantType;
    const entry = this.#codes.get(code);
    if (!entry || entry.app !== app || entry.expiresAt <= this.now()) return WX.invalidCode;
    if (entry.used) return WX.codeBeenUsed;
    entry.used = true;
    const accessToken = this.#newAccessToken(entry);
    const refreshToken = randomBytes(48).toString('base64url');
    this.#refreshTokens.set(refreshToken, {
      ...entry,
      accessToken,
      expiresAt: this.now() + REFRESH_TOKEN_LIFE_MS,
    });
    const answer: TokenAnswer = {
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_LIFE_S,
      refresh_token: refreshToken,
      openid: this.openidOf(app.appid, entry.person.id),
      scope: SCOPE,
    };
    return this.withUnionid ? { ...answer, unionid: this.unionidOf(entry.person.id) } : answer;
  }

  /**
   * GET /sns/oauth2/refresh_token. WeChat's rule: an expired access token is replaced by a new one; a live one is
   * kept and its life renewed. The refresh token itself is not rotated and lives 30 days from the code exchange.
   */
  refresh(q: Query): Omit<TokenAnswer, 'unionid'> | WechatError {
    const app = this.app(q.get('appid'));
    if (!q.get('appid')) return WX.appidMissing;
    if (!app) return WX.invalidAppid;
    if (q.get('grant_type') !== 'refresh_token') return WX.invalidGrantType;
    const refreshToken = q.get('refresh_token');
    if (!refreshToken) return WX.refreshTokenMissing;
    const entry = this.#refreshTokens.get(refreshToken);
    if (!entry || entry.app !== app) return WX.invalidRefreshToken;
    if (entry.expiresAt <= this.now()) return WX.refreshTokenExpired;
    const current = this.#accessTokens.get(entry.accessToken);
    if (current && current.expiresAt > this.now())
      current.expiresAt = this.now() + ACCESS_TOKEN_LIFE_S * SECOND;
    else entry.accessToken = this.#newAccessToken(entry);
    return {
      access_token: entry.accessToken,
      expires_in: ACCESS_TOKEN_LIFE_S,
      refresh_token: refreshToken,
      openid: this.openidOf(app.appid, entry.person.id),
      scope: SCOPE,
    };
  }

  /** GET /sns/userinfo. Since 2021 WeChat no longer shares sex or region: 0 and empty strings. No e-mail ever. */
  userinfo(q: Query): UserinfoAnswer | WechatError {
    const grant = this.#bearer(q);
    if ('errcode' in grant) return grant;
    const answer: UserinfoAnswer = {
      openid: this.openidOf(grant.app.appid, grant.person.id),
      nickname: grant.person.name,
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: grant.person.picture ?? '',
      privilege: [],
    };
    return this.withUnionid ? { ...answer, unionid: this.unionidOf(grant.person.id) } : answer;
  }

  /** GET /sns/auth: is this access token valid for this openid. */
  check(q: Query): WechatError {
    const grant = this.#bearer(q);
    return 'errcode' in grant ? grant : { errcode: 0, errmsg: 'ok' };
  }

  #bearer(q: Query): Grant | WechatError {
    const accessToken = q.get('access_token');
    if (!accessToken) return WX.accessTokenMissing;
    const token = this.#accessTokens.get(accessToken);
    if (!token) return WX.invalidAccessToken;
    if (token.expiresAt <= this.now()) return WX.accessTokenExpired;
    const openid = q.get('openid');
    if (!openid) return WX.missingOpenid;
    if (openid !== this.openidOf(token.app.appid, token.person.id)) return WX.invalidOpenid;
    return token;
  }

  #newAccessToken(grant: Grant): string {
    const token = randomBytes(48).toString('base64url');
    this.#accessTokens.set(token, {
      app: grant.app,
      person: grant.person,
      expiresAt: this.now() + ACCESS_TOKEN_LIFE_S * SECOND,
    });
    return token;
  }

  #known(personId: string): DemoPerson {
    const person = this.person(personId);
    if (!person) throw new IdentitySimError('IDSIM_ERR_UNKNOWN_PERSON', `no person ${personId}`);
    return person;
  }

  #mac(input: string): string {
    return createHmac('sha256', this.#idKey).update(input).digest('base64url').slice(0, 27);
  }
}
