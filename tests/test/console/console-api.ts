import { type AppDeps, buildApp, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import {
  type DemoPerson,
  type SimOidcIssuer,
  type SimWechatProvider,
  startSimOidcIssuer,
  startSimWechatProvider,
} from '@linkwell/identity-sim';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
// Not yet re-exported by @linkwell/api's index: the lead wires the console into the app composition.
import { registerConsole } from '../../../api/dist/http/console.js';
import { freePort } from '../../src/harness/index.js';

type ProviderConfig = NonNullable<AppDeps['identity']>['providers'][number];

/** The people the simulated providers let you sign in as. */
export const PEOPLE = {
  lin: { id: 'lin', name: 'Lin Wei', email: 'lin.wei@example.com', email_verified: true },
  alex: { id: 'alex', name: 'Alex Morgan', email: 'alex@example.com', email_verified: true },
} as const satisfies Record<string, DemoPerson>;

/** Display names as configured; the console shows them as they are (brand names are not translated). */
export const PROVIDERS = [
  { id: 'wechat', display_name: 'WeChat', kind: 'wechat' },
  { id: 'google', display_name: 'Google', kind: 'oidc' },
  { id: 'apple', display_name: 'Apple', kind: 'oidc' },
] as const;

export interface ConsoleApi {
  /** http://127.0.0.1:PORT, the API's public URL and the console's origin. */
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

interface Upstreams {
  readonly wechat: SimWechatProvider;
  readonly google: SimOidcIssuer;
  readonly apple: SimOidcIssuer;
}

async function startUpstreams(publicUrl: string): Promise<Upstreams> {
  const people = Object.values(PEOPLE);
  const client = (id: string) => ({
    client_id: `linkwell-${id}`,
    client_secret: `secret-${id}`,
    redirect_uris: [`${publicUrl}/v1/auth/${id}/callback`],
  });
  const [wechat, google, apple] = await Promise.all([
    startSimWechatProvider({
      displayName: 'WeChat-style',
      people,
      apps: [{ appid: 'wx-linkwell', secret: 'secret-wechat', redirect_uri_prefixes: [publicUrl] }],
    }),
    startSimOidcIssuer({ displayName: 'Google-like', people, clients: [client('google')] }),
    startSimOidcIssuer({
      displayName: 'Apple-like',
      people,
      clients: [client('apple')],
      signingAlg: 'ES256',
    }),
  ]);
  return { wechat, google, apple };
}

function providerConfigs(up: Upstreams): ProviderConfig[] {
  const oidc = (id: 'google' | 'apple', display_name: string, issuer: string, alg: 'RS256' | 'ES256') => ({
    id,
    kind: 'oidc' as const,
    display_name,
    issuer,
    client_id: `linkwell-${id}`,
    client_secret: `secret-${id}`,
    id_token_alg: alg,
    scopes: ['openid', 'profile', 'email'],
    trust_email_verified: true,
  });
  return [
    {
      id: 'wechat',
      kind: 'wechat',
      display_name: 'WeChat',
      authorize_url: up.wechat.authorizeUrl,
      token_url: up.wechat.tokenUrl,
      refresh_url: up.wechat.refreshUrl,
      userinfo_url: up.wechat.userinfoUrl,
      app_id: 'wx-linkwell',
      app_secret: 'secret-wechat',
      scopes: ['snsapi_login'],
      trust_email_verified: false,
    },
    oidc('google', 'Google', up.google.issuer, 'RS256'),
    oidc('apple', 'Apple', up.apple.issuer, 'ES256'),
  ];
}

/**
 * The real API (in-memory PGlite, fresh keys) with the console registered on it, listening on loopback,
 * and the three simulated identity providers it signs people in with.
 */
export async function startConsoleApi(): Promise<ConsoleApi> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const upstreams = await startUpstreams(url);
  const db = await openPglite();
  await migrate(db);
  const app = buildApp({
    db,
    keys: generateSigningKeys(),
    // Nothing here reads time series; an address where nothing listens keeps InfluxDB out of it.
    influx: { url: 'http://127.0.0.1:9', database: 'linkwell' },
    metrics: new Registry(),
    logger: false,
    identity: { publicUrl: url, providers: providerConfigs(upstreams) },
  });
  await registerConsole(app);
  await app.listen({ host: '127.0.0.1', port });
  return {
    url,
    app,
    async close() {
      await app.close();
      await db.close();
      await Promise.all([upstreams.wechat.close(), upstreams.google.close(), upstreams.apple.close()]);
    },
  };
}
