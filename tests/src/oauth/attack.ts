import { createHash, randomBytes } from 'node:crypto';
import type { SignedIn } from '../identity/attack-kit.js';
import type { IdentityStack, TestBrowser } from '../identity/index.js';
import { followToApp, type RegisteredApp } from './kit.js';

/** An RFC 6749 §5.2 error answer (or a success) from a protocol endpoint, with its status. */
export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function answerOf(res: Response): Promise<OAuthAnswer> {
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body, headers: res.headers };
}

/** Client authentication as the app registered it: client_secret_post for confidential apps, `none` for public. */
function clientFields(app: RegisteredApp): Record<string, string> {
  return app.client_secret === null
    ? { client_id: app.client_id }
    : { client_id: app.client_id, client_secret: app.client_secret };
}

/**
 * A raw POST to a form endpoint (token, introspection, revocation) with the app's credentials, so a test can
 * send what no well-behaved library would: a wrong verifier, an extra scope, a repeated parameter.
 */
export async function postForm(
  stack: IdentityStack,
  path: string,
  fields: Record<string, string> | [string, string][],
  init: { app?: RegisteredApp; headers?: Record<string, string> } = {},
): Promise<OAuthAnswer> {
  const params = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
  if (init.app) for (const [k, v] of Object.entries(clientFields(init.app))) params.append(k, v);
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers },
    body: params.toString(),
  });
  return answerOf(res);
}

export const tokenRequest = (
  stack: IdentityStack,
  app: RegisteredApp,
  fields: Record<string, string> | [string, string][],
): Promise<OAuthAnswer> => postForm(stack, '/oauth2/token', fields, { app });

export const refresh = (
  stack: IdentityStack,
  app: RegisteredApp,
  refreshToken: string,
  extra: Record<string, string> = {},
): Promise<OAuthAnswer> =>
  tokenRequest(stack, app, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });

/** A PKCE pair (RFC 7636 §4.1–4.2): 32 random bytes as the verifier, its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An authorization URL built by hand (S256 PKCE unless overridden; `null` drops a parameter). */
export function authorizeUrl(
  stack: IdentityStack,
  app: RegisteredApp,
  params: Record<string, string | null>,
): { url: string; verifier: string } {
  const { verifier, challenge } = pkce();
  const all: Record<string, string | null> = {
    client_id: app.client_id,
    response_type: 'code',
    redirect_uri: app.redirect_uri,
    scope: 'openid heart_rate.read trends.read',
    state: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  };
  const url = new URL(`${stack.apiUrl}/oauth2/authorize`);
  for (const [k, v] of Object.entries(all)) if (v !== null) url.searchParams.set(k, v);
  return { url: url.href, verifier };
}

/** A code for `app` through the person's browser, by hand (consenting to everything asked). */
export async function codeFor(
  stack: IdentityStack,
  person: SignedIn,
  app: RegisteredApp,
  params: Record<string, string | null> = {},
): Promise<{ code: string; verifier: string }> {
  const { url, verifier } = authorizeUrl(stack, app, params);
  const callback = await followToApp(stack, person.browser, url, app.redirect_uri, undefined);
  const code = callback.searchParams.get('code');
  if (code === null) throw new Error(`no code at ${callback.href}`);
  return { code, verifier };
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  token_type: string;
  expires_in: number;
}

/** The whole code flow by hand: authorize, consent, exchange. Throws unless the exchange succeeds. */
export async function tokensFor(
  stack: IdentityStack,
  person: SignedIn,
  app: RegisteredApp,
  params: Record<string, string | null> = {},
): Promise<TokenSet & { code: string; verifier: string }> {
  const { code, verifier } = await codeFor(stack, person, app, params);
  const answer = await tokenRequest(stack, app, {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: app.redirect_uri,
  });
  if (answer.status !== 200)
    throw new Error(`code exchange answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return { ...(answer.body as unknown as TokenSet), code, verifier };
}

/** GET an API path with a bearer token: status and parsed body. */
export async function apiGet(
  stack: IdentityStack,
  token: string,
  path: string,
): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }> {
  const res = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** The claims of a JWT, unverified (the test reads what the server put there). */
export function claimsOf(jwt: string): Record<string, unknown> {
  const [, payload] = jwt.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
}

/** Opens the authorize URL in the person's browser without following: the first answer. */
export function openAuthorize(browser: TestBrowser, url: string): Promise<Response> {
  return browser.get(url);
}

/** Follows the authorization redirects until the console's consent page: the interaction uid. */
export async function toConsent(stack: IdentityStack, browser: TestBrowser, start: string): Promise<string> {
  let next = start;
  for (let hop = 0; hop < 8; hop++) {
    const at = new URL(next, stack.apiUrl);
    const uid = at.pathname === '/connect' ? at.searchParams.get('uid') : null;
    if (uid !== null) return uid;
    const res = await browser.get(at.href);
    const location = res.headers.get('location');
    if (location === null) throw new Error(`no redirect at ${at.href}: HTTP ${res.status}`);
    next = new URL(location, at.href).href;
  }
  throw new Error('never reached the consent page');
}
