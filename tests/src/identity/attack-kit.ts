import { randomBytes } from 'node:crypto';
import type { Database, ProviderConfig } from '@linkwell/api';
import type { OidcClientRegistration } from '@linkwell/identity-sim';
import { locationOf, TestBrowser } from './browser.js';
import { call, signIn } from './sign-in.js';
import type { IdentityStack } from './stack.js';

/** RFC 9457 problem details as the API sends them, with its `code` and the extension members tests check. */
export interface Problem {
  type: string;
  status: number;
  code: string;
  detail: string;
  reason?: string;
  upstream_code?: string;
  [extension: string]: unknown;
}

/** The problem details of a refusal; throws when the answer is not one (so a success cannot pass silently). */
export async function problemOf(res: Response): Promise<Problem> {
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  if (!type.startsWith('application/problem+json'))
    throw new Error(`expected problem details, got HTTP ${res.status} ${type}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Problem;
}

/** Opens a callback URL as a JSON client (the API then answers problem details instead of `?error=`). */
export function openCallback(browser: TestBrowser, url: string): Promise<Response> {
  return browser.get(url, { accept: 'application/json' });
}

/** Opens a callback URL as a JSON client and returns the refusal's problem details. */
export async function callbackProblem(browser: TestBrowser, url: string): Promise<Problem> {
  return problemOf(await openCallback(browser, url));
}

/** Every table a sign-in, link, merge or token call writes to; a refusal must leave all of them alone. */
export const WRITTEN_TABLES = [
  'accounts',
  'identities',
  'identity_app_ids',
  'sessions',
  'refresh_tokens',
  'audit_log',
  'link_suggestions',
  'merge_offers',
  'account_merges',
] as const;

export type RowCounts = Record<(typeof WRITTEN_TABLES)[number], number>;

export async function rowCounts(db: Database): Promise<RowCounts> {
  const sums = WRITTEN_TABLES.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ');
  const { rows } = await db.query<RowCounts>(`SELECT ${sums}`);
  return rows[0]!;
}

/** GET /v1/auth/{provider}/start: the provider's authorization URL (the browser now holds `lw_flow`). */
export async function authorizeUrlOf(
  browser: TestBrowser,
  apiUrl: string,
  provider: string,
  returnTo = '/account',
): Promise<string> {
  const res = await browser.get(
    `${apiUrl}/v1/auth/${provider}/start?return_to=${encodeURIComponent(returnTo)}`,
  );
  if (res.status !== 302) throw new Error(`start answered ${res.status}: ${await res.text()}`);
  return locationOf(res, apiUrl);
}

/**
 * Follows redirects from `url` and presses the provider's Cancel button (WeChat-style `…/cancel`, OIDC
 * `…/abort`), then follows on until the redirect back to the API: that callback URL, unvisited.
 */
export async function cancelAtProvider(browser: TestBrowser, url: string, apiUrl: string): Promise<string> {
  let next = url;
  for (let hop = 0; hop < 12; hop++) {
    if (next.startsWith(`${apiUrl}/v1/auth/`)) return next;
    const res = await browser.get(next);
    if (res.status >= 300 && res.status < 400) {
      next = locationOf(res, next);
      continue;
    }
    const html = await res.text();
    const form = /<form\b[^>]*action="([^"]*\/(?:cancel|abort))"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    if (!form) throw new Error(`no cancel button at ${next} (HTTP ${res.status})`);
    const fields: Record<string, string> = {};
    for (const input of form[2]!.matchAll(/<input\b[^>]*name="([^"]*)"[^>]*value="([^"]*)"/g)) {
      fields[input[1]!] = input[2]!;
    }
    const action = new URL(form[1]!.replaceAll('&amp;', '&'), next).href;
    next = locationOf(await browser.postForm(action, fields), action);
  }
  throw new Error('the cancelled sign-in did not come back to the API');
}

/** A person signed in through the real flow in a browser of their own. */
export interface SignedIn {
  browser: TestBrowser;
  accountId: string;
}

export async function signedIn(stack: IdentityStack, provider: string, personId: string): Promise<SignedIn> {
  const browser = new TestBrowser();
  const res = await signIn(browser, stack.apiUrl, provider, personId);
  if (res.status !== 303 || res.headers.get('location') !== '/account')
    throw new Error(`sign-in with ${provider} answered ${res.status} → ${res.headers.get('location')}`);
  const me = (await (await call(browser, stack.apiUrl, 'GET', '/v1/me')).json()) as { id: string };
  return { browser, accountId: me.id };
}

/** A confidential client registration at a simulated issuer for the API's callback of `providerId`. */
export function clientFor(apiUrl: string, providerId: string): OidcClientRegistration {
  return {
    client_id: `linkwell-${providerId}-${randomBytes(4).toString('hex')}`,
    client_secret: randomBytes(32).toString('base64url'),
    redirect_uris: [`${apiUrl}/v1/auth/${providerId}/callback`],
  };
}

/** The API's configuration entry for an OIDC issuer: exactly what an operator would add, no code. */
export function oidcEntry(
  id: string,
  issuer: string,
  client: OidcClientRegistration,
  opts: { trustEmail?: boolean; displayName?: string; alg?: 'RS256' | 'ES256'; timeoutMs?: number } = {},
): ProviderConfig {
  return {
    id,
    kind: 'oidc',
    display_name: opts.displayName ?? id,
    issuer,
    client_id: client.client_id,
    client_secret: client.client_secret,
    scopes: ['openid', 'email', 'profile'],
    trust_email_verified: opts.trustEmail ?? false,
    id_token_alg: opts.alg ?? 'RS256',
    ...(opts.timeoutMs === undefined ? {} : { timeout_ms: opts.timeoutMs }),
  };
}

/** GET a JSON body with the session cookie. */
export async function getJson<T>(browser: TestBrowser, apiUrl: string, path: string): Promise<T> {
  const res = await call(browser, apiUrl, 'GET', path);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}
