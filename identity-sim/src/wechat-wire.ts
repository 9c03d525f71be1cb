/** A WeChat API error body. WeChat answers errors with HTTP 200 and this JSON, never with an HTTP error status. */
export interface WechatError {
  errcode: number;
  errmsg: string;
}

const e = (errcode: number, errmsg: string): WechatError => ({ errcode, errmsg });

/**
 * The codes WeChat's sns APIs use (WeChat Open Platform, "Website App WeChat Login" and the global return codes).
 * Messages are WeChat's without the trailing ", rid: …" request id, so tests can compare whole bodies.
 */
export const WX = {
  invalidGrantType: e(40002, 'invalid grant_type'),
  invalidOpenid: e(40003, 'invalid openid'),
  invalidAppid: e(40013, 'invalid appid'),
  invalidAccessToken: e(40014, 'invalid access_token'),
  invalidCode: e(40029, 'invalid code'),
  invalidRefreshToken: e(40030, 'invalid refresh_token'),
  invalidAppsecret: e(40125, 'invalid appsecret'),
  codeBeenUsed: e(40163, 'code been used'),
  accessTokenMissing: e(41001, 'access_token missing'),
  appidMissing: e(41002, 'appid missing'),
  refreshTokenMissing: e(41003, 'refresh_token missing'),
  appsecretMissing: e(41004, 'appsecret missing'),
  missingCode: e(41008, 'missing code'),
  missingOpenid: e(41009, 'missing openid'),
  accessTokenExpired: e(42001, 'access_token expired'),
  refreshTokenExpired: e(42002, 'refresh_token expired'),
} as const;

/** /sns/oauth2/access_token; unionid only for apps bound to an open-platform account. */
export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  openid: string;
  scope: string;
  unionid?: string;
}

/** /sns/userinfo. */
export interface UserinfoAnswer {
  openid: string;
  nickname: string;
  sex: number;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}
