import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type DemoPerson,
  type OidcClientRegistration,
  type SimOidcIssuer,
  startSimOidcIssuer,
} from '@linkwell/identity-sim';

/**
 * How the malicious issuer re-mints the ID token of every token response:
 * - `resign-rs256`: RS256 with its own key, published in its JWKS (the control case: a valid token);
 * - `rs256-unlisted-key`: RS256 with a key it does not publish, under the published key's `kid`;
 * - `alg-none`: `{"alg":"none"}` and an empty signature;
 * - `hs256-client-secret`: HS256 keyed with the relying party's client secret;
 * - `hs256-public-key`: HS256 keyed with its own RSA public key (PEM), the classic key-confusion attack.
 */
export type EvilMode =
  | 'resign-rs256'
  | 'rs256-unlisted-key'
  | 'alg-none'
  | 'hs256-client-secret'
  | 'hs256-public-key';

export interface EvilIssuer {
  /** The proxy's URL: the issuer it claims to be. */
  issuer: string;
  client: OidcClientRegistration;
  setMode(mode: EvilMode): void;
  /** The JOSE header of every ID token re-minted so far, so a test can prove its token reached the API. */
  readonly minted: { mode: EvilMode; header: Record<string, unknown> }[];
  close(): Promise<void>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

// Hop-by-hop and length headers are recomputed; cookies are copied one by one.
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
]);

async function bodyOf(req: IncomingMessage): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
}

/**
 * A malicious OpenID Provider for tests: an HTTP proxy in front of a real simulated issuer that claims to
 * be an issuer of its own (discovery with its URL and endpoints, its own JWKS with its own RS256 key) and
 * re-mints the ID token of every token response with the real claims, `iss` set to itself, signed as
 * `mode` says. Everything else (sign-in pages, cookies, userinfo) passes through.
 */
export async function startEvilIssuer(opts: {
  redirectUri: string;
  people: readonly DemoPerson[];
  mode?: EvilMode;
}): Promise<EvilIssuer> {
  let mode: EvilMode = opts.mode ?? 'resign-rs256';
  const minted: EvilIssuer['minted'] = [];
  const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const listed = keyPair();
  const unlisted = keyPair();
  const kid = 'evil-rs256';
  const jwk = { ...listed.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const publicPem = listed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const client: OidcClientRegistration = {
    client_id: 'linkwell-evil',
    client_secret: 'evil-client-secret-0123456789abcdefghijklmnop',
    redirect_uris: [opts.redirectUri],
  };

  let upstream: SimOidcIssuer | undefined;
  let origin = '';
  let tokenPath = '/token';

  const rs256 = (input: string, key: KeyObject) =>
    sign('sha256', Buffer.from(input), key).toString('base64url');
  const hs256 = (input: string, secret: string) =>
    createHmac('sha256', secret).update(input).digest('base64url');

  function remint(idToken: string): string {
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const payload = b64({ ...claims, iss: origin });
    const header: Record<string, unknown> =
      mode === 'alg-none'
        ? { alg: 'none', typ: 'JWT' }
        : mode.startsWith('hs256')
          ? { alg: 'HS256', typ: 'JWT', kid }
          : { alg: 'RS256', typ: 'JWT', kid };
    minted.push({ mode, header });
    const input = `${b64(header)}.${payload}`;
    if (mode === 'alg-none') return `${input}.`;
    if (mode === 'hs256-client-secret') return `${input}.${hs256(input, client.client_secret)}`;
    if (mode === 'hs256-public-key') return `${input}.${hs256(input, publicPem)}`;
    return `${input}.${rs256(input, mode === 'resign-rs256' ? listed.privateKey : unlisted.privateKey)}`;
  }

  /** Upstream URLs (redirects, the RFC 9207 `iss` of the authorization response) become the proxy's. */
  function rewriteLocation(location: string): string {
    const up = upstream!.issuer;
    const parsed = new URL(location, up);
    const url =
      parsed.origin === up ? new URL(`${parsed.pathname}${parsed.search}${parsed.hash}`, origin) : parsed;
    for (const [name, value] of [...url.searchParams]) if (value === up) url.searchParams.set(name, origin);
    return url.href;
  }

  async function discovery(): Promise<Record<string, unknown>> {
    const res = await fetch(`${upstream!.issuer}/.well-known/openid-configuration`);
    const text = (await res.text()).replaceAll(upstream!.issuer, origin);
    return {
      ...(JSON.parse(text) as Record<string, unknown>),
      jwks_uri: `${origin}/evil/jwks`,
      id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'],
    };
  }

  async function forward(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'host' || name === 'accept-encoding' || DROPPED.has(name) || value === undefined) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const body = await bodyOf(req);
    const up = await fetch(`${upstream!.issuer}${url.pathname}${url.search}`, {
      method: req.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(body ? { body } : {}),
    });
    if (req.method === 'POST' && url.pathname === tokenPath && up.status === 200) {
      const answer = (await up.json()) as { id_token?: string };
      if (answer.id_token) answer.id_token = remint(answer.id_token);
      return sendJson(res, answer);
    }
    const out: Record<string, string | string[]> = {};
    up.headers.forEach((value, name) => {
      if (DROPPED.has(name) || name === 'set-cookie') return;
      out[name] = name === 'location' ? rewriteLocation(value) : value;
    });
    const cookies = up.headers.getSetCookie();
    if (cookies.length > 0) out['set-cookie'] = cookies;
    res.writeHead(up.status, out).end(Buffer.from(await up.arrayBuffer()));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const handled =
      url.pathname === '/.well-known/openid-configuration'
        ? discovery().then((d) => sendJson(res, d))
        : url.pathname === '/evil/jwks'
          ? Promise.resolve(sendJson(res, { keys: [jwk] }))
          : forward(req, res, url);
    handled.catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream = await startSimOidcIssuer({ displayName: 'Evil issuer', people: opts.people, clients: [client] });
  const meta = (await (await fetch(`${upstream.issuer}/.well-known/openid-configuration`)).json()) as {
    token_endpoint: string;
  };
  tokenPath = new URL(meta.token_endpoint).pathname;

  return {
    issuer: origin,
    client,
    setMode: (m) => {
      mode = m;
    },
    minted,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await upstream?.close();
    },
  };
}
