import { randomBytes } from 'node:crypto';
import type { ProviderConfig } from '@linkwell/api';
import { type SimWechatProvider, startSimWechatProvider } from '@linkwell/identity-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/harness/ports.js';
import {
  authorizeUrlOf,
  callbackProblem,
  cancelAtProvider,
  oidcEntry,
  openCallback,
  problemOf,
  type RowCounts,
  rowCounts,
  type SignedIn,
  signedIn,
} from '../../src/identity/attack-kit.js';
import {
  call,
  csrfToken,
  type IdentityStack,
  personId,
  startIdentityStack,
  startSignIn,
  TestBrowser,
} from '../../src/identity/index.js';

const ZHAO = { id: 'wx-zhao-liu', name: '赵六', locale: 'zh-CN' };
const WX2_TIMEOUT_MS = 300;

describe('bad callbacks, failing providers and bad request bodies', () => {
  let stack: IdentityStack;
  let wx2: SimWechatProvider;
  let person: SignedIn;
  let before: RowCounts;

  beforeAll(async () => {
    stack = await startIdentityStack({
      extraProviders: async (apiUrl): Promise<ProviderConfig[]> => {
        const app = {
          appid: `wx${randomBytes(8).toString('hex')}`,
          secret: randomBytes(16).toString('hex'),
          redirect_uri_prefixes: [`${apiUrl}/v1/auth/wx2/callback`],
        };
        wx2 = await startSimWechatProvider({ displayName: 'WeChat-style 2', people: [ZHAO], apps: [app] });
        const closed = `http://127.0.0.1:${await freePort()}`;
        const nobody = { client_id: 'nobody', client_secret: 'nobody-secret', redirect_uris: [] };
        return [
          {
            id: 'wx2',
            kind: 'wechat',
            display_name: 'WeChat-style 2',
            authorize_url: wx2.authorizeUrl,
            token_url: wx2.tokenUrl,
            refresh_url: wx2.refreshUrl,
            userinfo_url: wx2.userinfoUrl,
            app_id: app.appid,
            app_secret: app.secret,
            scopes: ['snsapi_login'],
            trust_email_verified: false,
            timeout_ms: WX2_TIMEOUT_MS,
          },
          oidcEntry('down', closed, nobody, { timeoutMs: 1000 }),
        ];
      },
    });
    person = await signedIn(stack, 'apple', personId('apple', 'Sam Taylor'));
  });
  afterAll(async () => {
    await stack?.close();
    await wx2?.close();
  });
  beforeEach(async () => {
    before = await rowCounts(stack.db);
  });

  const nothingCreated = async () => expect(await rowCounts(stack.db)).toEqual(before);
  const tamper = (url: string, edit: (q: URLSearchParams) => void) => {
    const u = new URL(url);
    edit(u.searchParams);
    return u.href;
  };

  it('refuses a callback that repeats code with 400 API_ERR_VALIDATION and leaves its transaction unspent', async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', personId('google', 'Alex Morgan'));
    const spliced = tamper(callback, (q) => q.append('code', 'spliced-code'));
    expect(await callbackProblem(browser, spliced)).toMatchObject({
      status: 400,
      code: 'API_ERR_VALIDATION',
      field: 'querystring.code',
    });
    await nothingCreated();
    // Refused before the transaction was looked at: the genuine callback still finishes the sign-in.
    expect((await openCallback(browser, callback)).status).toBe(200);
  });

  it('refuses an OIDC callback with neither code nor error with API_ERR_ID_TOKEN_INVALID', async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', personId('google', 'Alex Morgan'));
    expect(
      await callbackProblem(
        browser,
        tamper(callback, (q) => q.delete('code')),
      ),
    ).toMatchObject({
      code: 'API_ERR_ID_TOKEN_INVALID',
      reason: 'authorization_response',
      check: 'neither "code" nor "error" is present',
    });
    await nothingCreated();
  });

  it('refuses a callback whose RFC 9207 iss names another issuer with API_ERR_ID_TOKEN_INVALID', async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', personId('google', 'Alex Morgan'));
    const apple = stack.sims.providers.find((p) => p.id === 'apple');
    const forged = tamper(callback, (q) => q.set('iss', apple?.kind === 'oidc' ? apple.issuer : ''));
    expect(await callbackProblem(browser, forged)).toMatchObject({
      code: 'API_ERR_ID_TOKEN_INVALID',
      reason: 'authorization_response',
      check: 'unexpected "iss" (issuer) response parameter value',
    });
    await nothingCreated();
  });

  it('ignores unknown extra callback parameters (RFC 6749 §4.1.2) and signs in without reflecting them', async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'google', personId('google', 'Alex Morgan'));
    const res = await browser.get(tamper(callback, (q) => q.set('junk', '<script>alert(1)</script>')));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
  });

  it('answers a WeChat cancel (no code) with API_ERR_UPSTREAM_DENIED upstream_code no_code', async () => {
    const browser = new TestBrowser();
    const callback = await cancelAtProvider(
      browser,
      await authorizeUrlOf(browser, stack.apiUrl, 'wechat'),
      stack.apiUrl,
    );
    expect(new URL(callback).searchParams.has('code')).toBe(false);
    expect(await callbackProblem(browser, callback)).toMatchObject({
      status: 400,
      code: 'API_ERR_UPSTREAM_DENIED',
      provider: 'wechat',
      upstream_code: 'no_code',
    });
    await nothingCreated();
  });

  it("answers the OIDC provider's Cancel button (access_denied) with API_ERR_UPSTREAM_DENIED", async () => {
    const browser = new TestBrowser();
    const callback = await cancelAtProvider(
      browser,
      await authorizeUrlOf(browser, stack.apiUrl, 'google'),
      stack.apiUrl,
    );
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    expect(await callbackProblem(browser, callback)).toMatchObject({
      status: 400,
      code: 'API_ERR_UPSTREAM_DENIED',
      provider: 'google',
      upstream_code: 'access_denied',
    });
    await nothingCreated();
  });

  it('refuses an unknown provider with 404 API_ERR_PROVIDER_UNKNOWN on start and on link', async () => {
    const start = await new TestBrowser().get(`${stack.apiUrl}/v1/auth/nosuch/start`);
    expect(start.status).toBe(404);
    expect(await problemOf(start)).toMatchObject({ code: 'API_ERR_PROVIDER_UNKNOWN', provider: 'nosuch' });
    const link = await call(person.browser, stack.apiUrl, 'POST', '/v1/me/identities/link', {
      provider: 'nosuch',
    });
    expect(link.status).toBe(404);
    expect(await problemOf(link)).toMatchObject({ code: 'API_ERR_PROVIDER_UNKNOWN' });
    await nothingCreated();
  });

  it('answers start at an OIDC issuer on a closed port with 503 API_ERR_UPSTREAM_UNAVAILABLE', async () => {
    const txBefore = (await stack.db.query('SELECT count(*)::int AS n FROM signin_transactions')).rows;
    const browser = new TestBrowser();
    const res = await browser.get(`${stack.apiUrl}/v1/auth/down/start`);
    expect(res.status).toBe(503);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_UPSTREAM_UNAVAILABLE', provider: 'down' });
    expect(browser.cookie(stack.apiUrl, 'lw_flow')).toBeUndefined();
    expect((await stack.db.query('SELECT count(*)::int AS n FROM signin_transactions')).rows).toEqual(
      txBefore,
    );
    await nothingCreated();
  });

  it(`answers a WeChat token endpoint slower than timeout_ms (${WX2_TIMEOUT_MS} ms) with API_ERR_UPSTREAM_UNAVAILABLE`, async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'wx2', ZHAO.id);
    wx2.setLatency(WX2_TIMEOUT_MS * 5);
    try {
      const started = Date.now();
      expect(await callbackProblem(browser, callback)).toMatchObject({
        status: 503,
        code: 'API_ERR_UPSTREAM_UNAVAILABLE',
        provider: 'wx2',
      });
      expect(Date.now() - started).toBeLessThan(WX2_TIMEOUT_MS * 4);
    } finally {
      wx2.setLatency(0);
    }
    await nothingCreated();
  });

  it("answers a WeChat errcode (40029 invalid code) with API_ERR_UPSTREAM_ERROR upstream_code '40029'", async () => {
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'wx2', ZHAO.id);
    wx2.failNextToken(40029, 'invalid code');
    expect(await callbackProblem(browser, callback)).toMatchObject({
      status: 502,
      code: 'API_ERR_UPSTREAM_ERROR',
      provider: 'wx2',
      upstream_code: '40029',
    });
    await nothingCreated();
  });

  it('signs in with the same WeChat provider once it answers again (control)', async () => {
    const browser = new TestBrowser();
    const res = await openCallback(browser, await startSignIn(browser, stack.apiUrl, 'wx2', ZHAO.id));
    expect(res.status).toBe(200);
    expect((await rowCounts(stack.db)).accounts).toBe(before.accounts + 1);
  });

  describe('POST /v1/me/identities/link bodies', () => {
    const post = async (body: string, contentType = 'application/json') =>
      person.browser.request(`${stack.apiUrl}/v1/me/identities/link`, {
        method: 'POST',
        headers: {
          'content-type': contentType,
          'x-csrf-token': await csrfToken(person.browser, stack.apiUrl),
        },
        body,
      });

    it('refuses a body that is not JSON with 400 API_ERR_BAD_REQUEST', async () => {
      const res = await post('{"provider": "google"');
      expect(res.status).toBe(400);
      expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_BAD_REQUEST' });
    });

    it('refuses a text/plain body with 400 API_ERR_VALIDATION (field body) and an XML body with 415', async () => {
      const text = await post('provider=google', 'text/plain');
      expect(text.status).toBe(400);
      expect(await problemOf(text)).toMatchObject({ code: 'API_ERR_VALIDATION', field: 'body' });
      const xml = await post('<provider>google</provider>', 'application/xml');
      expect(xml.status).toBe(415);
      expect(await problemOf(xml)).toMatchObject({ code: 'API_ERR_BAD_REQUEST', status: 415 });
    });

    // The API's ajv strips properties a schema does not declare (Fastify's default removeAdditional)
    // instead of refusing them; what matters here is that they cannot steer the flow.
    it('ignores unknown fields (account_id, intent): the transaction is a link for the caller', async () => {
      const res = await post(
        JSON.stringify({ provider: 'google', account_id: 'acct_someone_else', intent: 'signin' }),
      );
      expect(res.status).toBe(200);
      const { rows } = await stack.db.query(
        'SELECT intent, account_id FROM signin_transactions ORDER BY created_at DESC LIMIT 1',
      );
      expect(rows).toEqual([{ intent: 'link', account_id: person.accountId }]);
    });

    it.each(['Google', 'goo gle', '../google', 'google/callback', '', 'g'.repeat(33)])(
      'refuses provider id %j with 400 API_ERR_VALIDATION on body.provider',
      async (provider) => {
        const res = await post(JSON.stringify({ provider }));
        expect(res.status).toBe(400);
        expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_VALIDATION', field: 'body.provider' });
      },
    );
  });
});
