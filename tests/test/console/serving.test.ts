import { consoleAssets } from '@linkwell/console';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleApi, PROVIDERS, startConsoleApi } from './console-api.js';

const assets = consoleAssets();
const SECURITY_HEADERS = {
  'content-security-policy': assets.csp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};
const YEAR_IMMUTABLE = 'public, max-age=31536000, immutable';

describe('the API serving the console', () => {
  let api: ConsoleApi;
  beforeAll(async () => {
    api = await startConsoleApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  const get = (path: string) => fetch(`${api.url}${path}`, { redirect: 'manual' });
  const headersOf = (res: Response) => Object.fromEntries(res.headers);

  it.each(['/', '/signin', '/account', '/account?error=API_ERR_IDENTITY_IN_USE&merge_offer=mo_1'])(
    'answers %s with index.html, no-cache and the security headers',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(headersOf(res)).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        ...SECURITY_HEADERS,
      });
      expect(await res.text()).toBe(assets.html);
    },
  );

  it('serves the compiled entry module under the content hash for a year', async () => {
    const res = await get(`/app/${assets.version}/main.js`);
    expect(res.status).toBe(200);
    expect(headersOf(res)).toMatchObject({
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': YEAR_IMMUTABLE,
      ...SECURITY_HEADERS,
    });
    expect(await res.text()).toContain("from './app.js'");
  });

  it('serves the stylesheet under the content hash for a year', async () => {
    const res = await get(`/assets/${assets.version}/console.css`);
    expect(res.status).toBe(200);
    expect(headersOf(res)).toMatchObject({
      'content-type': 'text/css; charset=utf-8',
      'cache-control': YEAR_IMMUTABLE,
    });
  });

  it.each(Object.keys(assets.vendor))('serves vendor file %s for a year', async (url) => {
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(YEAR_IMMUTABLE);
    expect(res.headers.get('content-type')).toMatch(/^(application\/javascript|text\/css); charset=utf-8$/);
  });

  it.each([
    ['a vendor package’s other files', '/vendor/preact@11.2.0/package.json'],
    ['a vendor package’s sources', '/vendor/preact@11.2.0/src/index.js'],
    ['the console from an old build', '/app/000000000000/main.js'],
    ['a path outside the asset directory', `/assets/${assets.version}/%2e%2e/index.html`],
    ['an unknown page', '/settings'],
  ])('answers 404 for %s', async (_what, path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
  });

  it('leaves an unknown /v1/ route to the API: a problem with API_ERR_NOT_FOUND, not the page', async () => {
    const res = await get('/v1/no-such-route');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, code: 'API_ERR_NOT_FOUND' });
  });

  it('lists the configured providers at GET /v1/auth/providers, which the sign-in page shows', async () => {
    const res = await get('/v1/auth/providers');
    expect(await res.json()).toEqual({ providers: PROVIDERS });
  });
});
