import { parseArgs } from 'node:util';

export const DEFAULT_SCOPE = 'openid offline_access trends.read heart_rate.read blood_pressure.read';

export const USAGE = `Usage: node examples/bp-trend-app/server.mjs [options]

A tiny third-party web app that signs a person in through Linkwell (OpenID Connect, authorization code
with PKCE) and shows their heart-rate and blood-pressure trends of the last 7 days.

Options (each may also come from the environment variable in brackets):
  --issuer <url>         Linkwell's issuer, e.g. http://127.0.0.1:8080       [LINKWELL_ISSUER]
  --client-id <id>       the app's client_id (console /developer page)       [LINKWELL_CLIENT_ID]
  --client-secret <s>    its client_secret; omit for a public client         [LINKWELL_CLIENT_SECRET]
  --scope <scopes>       scopes to ask for                                   [LINKWELL_SCOPE]
                         default "${DEFAULT_SCOPE}"
  --port <n>             port to listen on (default 3001)                    [BP_TREND_PORT]
  --host <addr>          address to listen on (default 127.0.0.1)            [BP_TREND_HOST]
  --base-url <url>       where browsers reach this app                       [BP_TREND_BASE_URL]
                         (default http://127.0.0.1:<port>); the redirect URI to register is
                         <base-url>/callback
  -h, --help             show this help
`;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for an http:// URL on a loopback host, the only place plain HTTP is acceptable (RFC 8252 §7.3). */
export function isLoopbackHttp(url) {
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

/**
 * Reads the options from argv, then the environment. Returns `{ help: true }` for --help, throws an Error
 * whose message is meant for the person running the app on anything missing or malformed.
 */
export function readConfig(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'base-url': { type: 'string' },
      scope: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const issuerText = values.issuer ?? env.LINKWELL_ISSUER;
  const clientId = values['client-id'] ?? env.LINKWELL_CLIENT_ID;
  if (!issuerText) throw new Error('--issuer (or LINKWELL_ISSUER) is required');
  if (!clientId) throw new Error('--client-id (or LINKWELL_CLIENT_ID) is required');
  const issuer = new URL(issuerText);
  if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer)) {
    throw new Error(`the issuer must be https (plain http only on a loopback host): ${issuer.href}`);
  }
  const port = Number(values.port ?? env.BP_TREND_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port: not a port: ${port}`);
  const baseUrl = new URL(values['base-url'] ?? env.BP_TREND_BASE_URL ?? `http://127.0.0.1:${port}`);
  return {
    help: false,
    issuer,
    clientId,
    clientSecret: values['client-secret'] ?? env.LINKWELL_CLIENT_SECRET ?? null,
    port,
    host: values.host ?? env.BP_TREND_HOST ?? '127.0.0.1',
    baseUrl,
    redirectUri: new URL('/callback', baseUrl).href,
    scope: values.scope ?? env.LINKWELL_SCOPE ?? DEFAULT_SCOPE,
  };
}
