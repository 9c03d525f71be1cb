import { locationOf, type TestBrowser } from './browser.js';

const MAX_HOPS = 12;

interface PageForm {
  action: string;
  fields: Record<string, string>;
}

/** The form on a simulated provider's page that holds the button choosing `personId`, with its hidden fields. */
function formFor(html: string, pageUrl: string, personId: string): PageForm | undefined {
  for (const match of html.matchAll(/<form\b[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const [, action = '', body = ''] = match;
    const button = body.includes(`name="person" value="${personId}"`);
    if (!button) continue;
    const fields: Record<string, string> = { person: personId };
    for (const input of body.matchAll(/<input\b[^>]*type="hidden"[^>]*name="([^"]*)"[^>]*value="([^"]*)"/g)) {
      fields[input[1]!] = input[2]!.replaceAll('&amp;', '&');
    }
    return { action: new URL(action.replaceAll('&amp;', '&'), pageUrl).href, fields };
  }
  return undefined;
}

/**
 * Follows redirects from `url` through the provider, picks `personId` on its sign-in page, and stops at
 * the redirect back to the API's callback, which it returns unvisited so a test can tamper with it.
 */
export async function consentAtProvider(
  browser: TestBrowser,
  url: string,
  personId: string,
  apiUrl: string,
): Promise<string> {
  let next = url;
  let chosen = false;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (next.startsWith(`${apiUrl}/v1/auth/`) && next.includes('/callback')) return next;
    const res = await browser.get(next);
    if (res.status >= 300 && res.status < 400) {
      next = locationOf(res, next);
      continue;
    }
    const html = await res.text();
    const form = chosen ? undefined : formFor(html, next, personId);
    if (!form)
      throw new Error(
        `no sign-in choice for ${personId} at ${next} (HTTP ${res.status}): ${html.slice(0, 300)}`,
      );
    chosen = true;
    const posted = await browser.postForm(form.action, form.fields);
    next = locationOf(posted, form.action);
  }
  throw new Error(`sign-in did not come back to the API within ${MAX_HOPS} hops`);
}

/** GET /v1/auth/{provider}/start and consent: the callback URL the provider sent the browser to. */
export async function startSignIn(
  browser: TestBrowser,
  apiUrl: string,
  provider: string,
  personId: string,
  returnTo = '/account',
): Promise<string> {
  const start = await browser.get(
    `${apiUrl}/v1/auth/${provider}/start?return_to=${encodeURIComponent(returnTo)}`,
  );
  if (start.status !== 302) throw new Error(`start answered ${start.status}: ${await start.text()}`);
  return consentAtProvider(browser, locationOf(start, apiUrl), personId, apiUrl);
}

/** A whole sign-in: returns the callback's response (303 to return_to, or to ?error=…). */
export async function signIn(
  browser: TestBrowser,
  apiUrl: string,
  provider: string,
  personId: string,
): Promise<Response> {
  return browser.get(await startSignIn(browser, apiUrl, provider, personId));
}

/** The session's CSRF token, for state-changing calls with the cookie. */
export async function csrfToken(browser: TestBrowser, apiUrl: string): Promise<string> {
  const body = (await (await browser.get(`${apiUrl}/v1/auth/session`)).json()) as { csrf_token?: string };
  if (!body.csrf_token) throw new Error('not signed in');
  return body.csrf_token;
}

/** A JSON call with the session cookie and (for state changes) the CSRF token. */
export async function call(
  browser: TestBrowser,
  apiUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['x-csrf-token'] = await csrfToken(browser, apiUrl);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return browser.request(`${apiUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** POST a flow start (link or step-up), then consent: the callback URL. */
export async function startFlowAt(
  browser: TestBrowser,
  apiUrl: string,
  path: '/v1/me/identities/link' | '/v1/auth/step-up',
  provider: string,
  personId: string,
): Promise<string> {
  const res = await call(browser, apiUrl, 'POST', path, { provider, return_to: '/account' });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  const { authorize_url } = (await res.json()) as { authorize_url: string };
  return consentAtProvider(browser, authorize_url, personId, apiUrl);
}
