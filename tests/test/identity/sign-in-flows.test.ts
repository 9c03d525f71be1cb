import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  count,
  type IdentityStack,
  personId,
  signIn,
  startFlowAt,
  startIdentityStack,
  TestBrowser,
} from '../../src/identity/index.js';

const LI_WEI_WECHAT = personId('wechat', '李伟');
const LI_WEI_GOOGLE = personId('google', 'Li Wei');

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe('sign-in, link, sign-out and unlink against the simulated providers', () => {
  let stack: IdentityStack;
  const browser = new TestBrowser();
  let accountId = '';

  beforeAll(async () => {
    stack = await startIdentityStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lists the three configured providers in configuration order', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/auth/providers`);
    expect(await res.json()).toEqual({
      providers: [
        { id: 'google', display_name: 'Google-like (demo)', kind: 'oidc' },
        { id: 'apple', display_name: 'Apple-like (demo)', kind: 'oidc' },
        { id: 'wechat', display_name: 'WeChat-style (demo)', kind: 'wechat' },
      ],
    });
  });

  it('creates the account silently on the first WeChat-style sign-in and lands on /account', async () => {
    const res = await signIn(browser, stack.apiUrl, 'wechat', LI_WEI_WECHAT);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('lw_session='));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/); // plain http on loopback; Secure under TLS
    const me = await json<{ id: string; display_name: string }>(
      await call(browser, stack.apiUrl, 'GET', '/v1/me'),
    );
    expect(me.display_name).toBe('李伟');
    expect(me.id).toMatch(/^acct_/);
    accountId = me.id;
    const { identities } = await json<{ identities: { provider: string; name: string }[] }>(
      await call(browser, stack.apiUrl, 'GET', '/v1/me/identities'),
    );
    expect(identities.map((i) => [i.provider, i.name])).toEqual([['wechat', '李伟']]);
  });

  it('keys the WeChat identity by unionid and keeps the per-app openid', async () => {
    const { rows } = await stack.db.query<{ subject: string; openid: string }>(
      'SELECT i.subject, a.openid FROM identities i JOIN identity_app_ids a ON a.identity_id = i.id WHERE i.account_id = $1',
      [accountId],
    );
    const wechat = stack.sims.providers.find((p) => p.id === 'wechat');
    expect(wechat?.kind).toBe('wechat');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.subject).not.toContain('@');
    expect(rows[0]!.subject).not.toBe(rows[0]!.openid);
    expect(rows[0]!.openid).toMatch(/^o/);
  });

  it('links the Google-like identity to the same account', async () => {
    const callback = await startFlowAt(
      browser,
      stack.apiUrl,
      '/v1/me/identities/link',
      'google',
      LI_WEI_GOOGLE,
    );
    const res = await browser.get(callback);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    const { identities } = await json<{ identities: { provider: string; email: string | null }[] }>(
      await call(browser, stack.apiUrl, 'GET', '/v1/me/identities'),
    );
    expect(identities.map((i) => [i.provider, i.email])).toEqual([
      ['wechat', null],
      ['google', 'li.wei@example.com'],
    ]);
  });

  it('signs out: the session is revoked and the cookie cleared', async () => {
    const res = await call(browser, stack.apiUrl, 'POST', '/v1/auth/signout');
    expect(res.status).toBe(204);
    expect(browser.cookie(stack.apiUrl, 'lw_session')).toBeUndefined();
    const { rows } = await stack.db.query<{ revoked_reason: string }>(
      'SELECT revoked_reason FROM sessions WHERE account_id = $1',
      [accountId],
    );
    expect(rows.map((r) => r.revoked_reason)).toEqual(['sign_out']);
    expect((await browser.get(`${stack.apiUrl}/v1/me`)).status).toBe(401);
  });

  it('signs in with the Google-like identity and lands on the same account', async () => {
    const accountsBefore = await count(stack.db, 'accounts');
    expect((await signIn(browser, stack.apiUrl, 'google', LI_WEI_GOOGLE)).status).toBe(303);
    const me = await json<{ id: string }>(await call(browser, stack.apiUrl, 'GET', '/v1/me'));
    expect(me.id).toBe(accountId);
    expect(await count(stack.db, 'accounts')).toBe(accountsBefore);
  });

  it('unlinks the WeChat identity, then refuses to unlink the last one with API_ERR_LAST_IDENTITY', async () => {
    const { identities } = await json<{ identities: { id: string; provider: string }[] }>(
      await call(browser, stack.apiUrl, 'GET', '/v1/me/identities'),
    );
    const wechat = identities.find((i) => i.provider === 'wechat')!;
    const google = identities.find((i) => i.provider === 'google')!;
    expect((await call(browser, stack.apiUrl, 'DELETE', `/v1/me/identities/${wechat.id}`)).status).toBe(204);
    const last = await call(browser, stack.apiUrl, 'DELETE', `/v1/me/identities/${google.id}`);
    expect(last.status).toBe(409);
    expect(last.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await last.json()).toMatchObject({
      type: '/problems/API_ERR_LAST_IDENTITY',
      status: 409,
      code: 'API_ERR_LAST_IDENTITY',
      instance: `/v1/me/identities/${google.id}`,
    });
  });

  it('needs a step-up after 5 minutes: unlink is refused, then allowed after signing in again', async () => {
    const relink = await startFlowAt(
      browser,
      stack.apiUrl,
      '/v1/me/identities/link',
      'wechat',
      LI_WEI_WECHAT,
    );
    expect((await browser.get(relink)).status).toBe(303);
    stack.advance(5 * 60_000 + 1000);
    const { identities } = await json<{ identities: { id: string; provider: string }[] }>(
      await call(browser, stack.apiUrl, 'GET', '/v1/me/identities'),
    );
    const wechat = identities.find((i) => i.provider === 'wechat')!;
    const refused = await call(browser, stack.apiUrl, 'DELETE', `/v1/me/identities/${wechat.id}`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('API_ERR_STEP_UP_REQUIRED');
    const stepUp = await startFlowAt(browser, stack.apiUrl, '/v1/auth/step-up', 'google', LI_WEI_GOOGLE);
    expect((await browser.get(stepUp)).headers.get('location')).toBe('/account');
    expect((await call(browser, stack.apiUrl, 'DELETE', `/v1/me/identities/${wechat.id}`)).status).toBe(204);
  });

  it('counts callbacks by provider and outcome on /metrics, with unknown providers folded into one label', async () => {
    await browser.get(`${stack.apiUrl}/v1/auth/made-up/callback?state=x`);
    const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(text).toContain('linkwell_api_signin_callbacks_total{provider="wechat",outcome="ok"} 2');
    expect(text).toContain('linkwell_api_signin_callbacks_total{provider="google",outcome="ok"} 3');
    expect(text).toContain(
      'linkwell_api_signin_callbacks_total{provider="unknown",outcome="API_ERR_SIGNIN_STATE_INVALID"} 1',
    );
    expect(text).not.toContain('made-up');
  });

  it('records every sign-in, link, unlink, sign-out and step-up in the audit list with IP and user agent', async () => {
    const { entries } = await json<{ entries: { action: string; ip: string; user_agent: string }[] }>(
      await call(browser, stack.apiUrl, 'GET', '/v1/me/audit'),
    );
    expect(entries.map((e) => e.action).reverse()).toEqual([
      'account_created',
      'sign_in',
      'link',
      'sign_out',
      'sign_in',
      'unlink',
      'link',
      'step_up',
      'unlink',
    ]);
    expect(entries.every((e) => e.ip === '127.0.0.1' && e.user_agent === 'node')).toBe(true);
  });
});
