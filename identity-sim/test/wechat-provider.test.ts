import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdentitySimError, type SimWechatProvider, startSimWechatProvider } from '../src/index.js';
import { buttonsOf, formActionsOf } from './user-agent.js';

const HOUR = 3600_000;
const WEB = {
  appid: 'wx5f2c0a91d3e4b7c8',
  secret: 'web-secret',
  redirect_uri_prefixes: ['https://linkwell.example/auth/callback/wechat'],
};
const ADMIN = {
  appid: 'wx0d9e8f7a6b5c4d3e',
  secret: 'admin-secret',
  redirect_uri_prefixes: ['https://admin.example/'],
};
const CALLBACK = 'https://linkwell.example/auth/callback/wechat';
const LI = { id: 'wx-li-wei', name: '李伟', locale: 'zh-CN' };
const ZHANG = { id: 'wx-zhang-min', name: '张敏', locale: 'zh-CN', picture: 'https://img.example/zm.png' };

let clock = Date.parse('2026-12-07T08:00:00Z');
let wx: SimWechatProvider;

beforeAll(async () => {
  wx = await startSimWechatProvider({
    displayName: 'WeChat-style',
    people: [LI, ZHANG],
    apps: [WEB, ADMIN],
    now: () => clock,
  });
});
afterAll(() => wx?.close());
beforeEach(() => {
  wx.setLatency(0);
});

async function scanPage(params: Record<string, string> = {}, provider = wx) {
  const query = { appid: WEB.appid, redirect_uri: CALLBACK, response_type: 'code', scope: 'snsapi_login' };
  const url = `${provider.authorizeUrl}?${new URLSearchParams({ ...query, ...params })}`;
  const response = await fetch(url, { redirect: 'manual' });
  const html = await response.text();
  return { status: response.status, html, ticket: /name="ticket" value="([^"]*)"/.exec(html)?.[1] ?? '' };
}

function post(path: string, form: Record<string, string>, provider = wx): Promise<Response> {
  return fetch(`${provider.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

/** Scans as `personId` for the app and returns the code from the redirect. */
async function codeFor(personId: string, app = WEB, redirectUri = CALLBACK, provider = wx): Promise<string> {
  const { ticket } = await scanPage({ appid: app.appid, redirect_uri: redirectUri, state: 'st' }, provider);
  const response = await post('/connect/qrconnect/scan', { ticket, person: personId }, provider);
  return new URL(response.headers.get('location')!).searchParams.get('code')!;
}

async function api(url: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}?${new URLSearchParams(params)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

function exchange(code: string, app = WEB, provider = wx) {
  return api(provider.tokenUrl, {
    appid: app.appid,
    secret: app.secret,
    code,
    grant_type: 'authorization_code',
  });
}

describe('WeChat-style provider: authorize page', () => {
  it('renders an English phone-sized page with a fake QR and "Scan as 李伟"/"Scan as 张敏" buttons', async () => {
    const { status, html } = await scanPage({ state: 'xyz' });
    expect(status).toBe(200);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<h1>Sign in with WeChat-style</h1>');
    expect(html).toContain('<svg aria-hidden="true"');
    expect(buttonsOf(html)).toEqual([
      { name: 'person', value: 'wx-li-wei', label: 'Scan as 李伟' },
      { name: 'person', value: 'wx-zhang-min', label: 'Scan as 张敏' },
      { name: undefined, value: undefined, label: 'Cancel' },
    ]);
    expect(html).toContain('<span lang="zh-CN">李伟</span>');
    expect(formActionsOf(html)).toEqual(['/connect/qrconnect/scan', '/connect/qrconnect/cancel']);
  });

  it('redirects a scan as 李伟 to redirect_uri with a 32-character code and state=xyz', async () => {
    const { ticket } = await scanPage({ state: 'xyz' });
    const response = await post('/connect/qrconnect/scan', { ticket, person: 'wx-li-wei' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect([...location.searchParams.keys()]).toEqual(['code', 'state']);
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('sends a cancelling user back with state=xyz and no code', async () => {
    const { ticket } = await scanPage({ state: 'xyz' });
    const response = await post('/connect/qrconnect/cancel', { ticket });
    expect([response.status, response.headers.get('location')]).toEqual([302, `${CALLBACK}?state=xyz`]);
  });

  it('shows an error page and never redirects for a redirect_uri outside the prefix', async () => {
    for (const redirect_uri of [
      'https://linkwell.example/auth/callback/wechatx',
      'https://evil.example/auth/callback/wechat',
      'http://linkwell.example/auth/callback/wechat',
    ]) {
      const { status, html, ticket } = await scanPage({ redirect_uri });
      expect([status, ticket]).toEqual([400, '']);
      expect(html).toContain('<h1>redirect_uri parameter error</h1>');
    }
    const below = await scanPage({ redirect_uri: `${CALLBACK}/done?x=1` });
    expect(below.status).toBe(200);
  });

  it('shows error pages for an unknown appid, response_type=token and scope=snsapi_userinfo', async () => {
    const pages = await Promise.all([
      scanPage({ appid: 'wx-unknown' }),
      scanPage({ response_type: 'token' }),
      scanPage({ scope: 'snsapi_userinfo' }),
    ]);
    expect(pages.map((p) => [p.status, /<h1>(.*)<\/h1>/.exec(p.html)?.[1]])).toEqual([
      [400, 'Parameter error'],
      [400, 'Parameter error'],
      [400, 'Scope parameter error or no scope permission'],
    ]);
  });

  it('answers 400 for a scan as an unknown person and keeps the QR ticket usable', async () => {
    const { ticket } = await scanPage();
    const bad = await post('/connect/qrconnect/scan', { ticket, person: 'nobody' });
    expect([bad.status, bad.headers.get('location')]).toEqual([400, null]);
    const good = await post('/connect/qrconnect/scan', { ticket, person: 'wx-zhang-min' });
    expect(good.status).toBe(302);
    const again = await post('/connect/qrconnect/scan', { ticket, person: 'wx-zhang-min' });
    expect(again.status).toBe(400);
  });
});

describe('WeChat-style provider: API', () => {
  it('exchanges 李伟’s code for tokens with his openid and unionid, then answers userinfo', async () => {
    const tokens = await exchange(await codeFor('wx-li-wei'));
    const openid = wx.openidOf(WEB.appid, 'wx-li-wei');
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/),
      expires_in: 7200,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/),
      openid,
      scope: 'snsapi_login',
      unionid: wx.unionidOf('wx-li-wei'),
    });
    expect(await api(wx.userinfoUrl, { access_token: String(tokens.access_token), openid })).toEqual({
      openid,
      nickname: '李伟',
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: '',
      privilege: [],
      unionid: wx.unionidOf('wx-li-wei'),
    });
    expect(
      await api(`${wx.baseUrl}/sns/auth`, { access_token: String(tokens.access_token), openid }),
    ).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
  });

  it('gives 李伟 a different 28-character openid per app and one unionid', async () => {
    const web = await exchange(await codeFor('wx-li-wei', WEB));
    const admin = await exchange(await codeFor('wx-li-wei', ADMIN, 'https://admin.example/cb'), ADMIN);
    expect(web.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(admin.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(web.openid).not.toBe(admin.openid);
    expect(web.unionid).toBe(admin.unionid);
    expect(wx.unionidOf('wx-li-wei')).not.toBe(wx.unionidOf('wx-zhang-min'));
  });

  it('answers a reused code with 40163 code been used', async () => {
    const code = await codeFor('wx-li-wei');
    await exchange(code);
    expect(await exchange(code)).toEqual({ errcode: 40163, errmsg: 'code been used' });
  });

  it('answers a wrong secret with 40125, an unknown appid with 40013, no code with 41008', async () => {
    const code = await codeFor('wx-li-wei');
    const ask = (params: Record<string, string>) =>
      api(wx.tokenUrl, { grant_type: 'authorization_code', ...params });
    expect(await ask({ appid: WEB.appid, secret: 'wrong', code })).toEqual({
      errcode: 40125,
      errmsg: 'invalid appsecret',
    });
    expect(await ask({ appid: 'wx-nope', secret: WEB.secret, code })).toEqual({
      errcode: 40013,
      errmsg: 'invalid appid',
    });
    expect(await ask({ appid: WEB.appid, secret: WEB.secret })).toEqual({
      errcode: 41008,
      errmsg: 'missing code',
    });
    expect((await exchange(code)).openid).toBe(wx.openidOf(WEB.appid, 'wx-li-wei'));
  });

  it('answers 40029 for an unknown code, another app’s code and a code 5 minutes old', async () => {
    expect(await exchange('not-a-code')).toEqual({ errcode: 40029, errmsg: 'invalid code' });
    expect(await exchange(await codeFor('wx-li-wei'), ADMIN)).toEqual({
      errcode: 40029,
      errmsg: 'invalid code',
    });
    const code = await codeFor('wx-li-wei');
    clock += 5 * 60_000;
    expect(await exchange(code)).toEqual({ errcode: 40029, errmsg: 'invalid code' });
  });

  it('answers userinfo with 42001 once the access token is 2 hours old, 40014 for an unknown one', async () => {
    const tokens = await exchange(await codeFor('wx-zhang-min'));
    const openid = String(tokens.openid);
    clock += 2 * HOUR;
    expect(await api(wx.userinfoUrl, { access_token: String(tokens.access_token), openid })).toEqual({
      errcode: 42001,
      errmsg: 'access_token expired',
    });
    expect(await api(wx.userinfoUrl, { access_token: 'nope', openid })).toEqual({
      errcode: 40014,
      errmsg: 'invalid access_token',
    });
  });

  it('refreshes an expired access token into a new one that userinfo accepts, keeping the refresh token', async () => {
    const tokens = await exchange(await codeFor('wx-zhang-min'));
    clock += 2 * HOUR;
    const refreshed = await api(wx.refreshUrl, {
      appid: WEB.appid,
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
    });
    expect(refreshed).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/),
      expires_in: 7200,
      refresh_token: tokens.refresh_token,
      openid: tokens.openid,
      scope: 'snsapi_login',
    });
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const info = await api(wx.userinfoUrl, {
      access_token: String(refreshed.access_token),
      openid: String(tokens.openid),
    });
    expect([info.nickname, info.headimgurl]).toEqual(['张敏', 'https://img.example/zm.png']);
  });

  it('renews a live access token on refresh instead of replacing it', async () => {
    const tokens = await exchange(await codeFor('wx-li-wei'));
    clock += HOUR;
    const refreshed = await api(wx.refreshUrl, {
      appid: WEB.appid,
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
    });
    expect(refreshed.access_token).toBe(tokens.access_token);
    clock += 1.5 * HOUR;
    const info = await api(wx.userinfoUrl, {
      access_token: String(tokens.access_token),
      openid: String(tokens.openid),
    });
    expect(info.nickname).toBe('李伟');
  });

  it('answers a refresh 30 days after the exchange with 42002 and an unknown refresh token with 40030', async () => {
    const tokens = await exchange(await codeFor('wx-li-wei'));
    const refresh = (refresh_token: string) =>
      api(wx.refreshUrl, { appid: WEB.appid, grant_type: 'refresh_token', refresh_token });
    expect(await refresh('nope')).toEqual({ errcode: 40030, errmsg: 'invalid refresh_token' });
    clock += 30 * 24 * HOUR;
    expect(await refresh(String(tokens.refresh_token))).toEqual({
      errcode: 42002,
      errmsg: 'refresh_token expired',
    });
  });

  it('answers the next token call with a forced 45011 and the call after it normally', async () => {
    const code = await codeFor('wx-li-wei');
    wx.failNextToken(45011, 'api minute-quota reach limit');
    expect(await exchange(code)).toEqual({ errcode: 45011, errmsg: 'api minute-quota reach limit' });
    expect((await exchange(code)).openid).toBe(wx.openidOf(WEB.appid, 'wx-li-wei'));
  });

  it('delays API answers by 300 ms after setLatency(300)', async () => {
    wx.setLatency(300);
    const started = performance.now();
    expect(await exchange('not-a-code')).toEqual({ errcode: 40029, errmsg: 'invalid code' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('throws IDSIM_ERR_UNKNOWN_APP and IDSIM_ERR_UNKNOWN_PERSON from openidOf for unregistered ids', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof IdentitySimError ? err.code : err;
      }
    };
    expect(codeOf(() => wx.openidOf('wx-nope', 'wx-li-wei'))).toBe('IDSIM_ERR_UNKNOWN_APP');
    expect(codeOf(() => wx.openidOf(WEB.appid, 'nobody'))).toBe('IDSIM_ERR_UNKNOWN_PERSON');
  });
});

describe('WeChat-style provider without an open-platform account', () => {
  it('leaves unionid out of the token and userinfo answers', async () => {
    const bare = await startSimWechatProvider({
      displayName: 'Bare',
      people: [LI],
      apps: [WEB],
      unionid: false,
    });
    try {
      const tokens = await exchange(await codeFor(LI.id, WEB, CALLBACK, bare), WEB, bare);
      expect(Object.keys(tokens).sort()).toEqual([
        'access_token',
        'expires_in',
        'openid',
        'refresh_token',
        'scope',
      ]);
      const info = await api(bare.userinfoUrl, {
        access_token: String(tokens.access_token),
        openid: String(tokens.openid),
      });
      expect('unionid' in info).toBe(false);
      expect(info.openid).toBe(bare.openidOf(WEB.appid, LI.id));
    } finally {
      await bare.close();
    }
  });
});
