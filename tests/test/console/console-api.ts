import {
  buildApp,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
  type ProviderConfig,
} from '@linkwell/api';
import {
  type DemoIdentityProviders,
  type DemoPerson,
  type SimOidcIssuer,
  startDemoIdentityProviders,
  startSimOidcIssuer,
} from '@linkwell/identity-sim';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { freePort } from '../../src/harness/index.js';

/** The demo providers as `linkwell up` configures them; the console shows these names as they are. */
export const PROVIDERS = [
  { id: 'google', display_name: 'Google-like (demo)', kind: 'oidc' },
  { id: 'apple', display_name: 'Apple-like (demo)', kind: 'oidc' },
  { id: 'wechat', display_name: 'WeChat-style (demo)', kind: 'wechat' },
] as const;

export interface ConsoleApi {
  /** http://127.0.0.1:PORT, the API's public URL and the console's origin. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly db: Database;
  /** Moves the API's clock forward (sessions, step-up windows); the providers keep real time. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export interface ConsoleApiOptions {
  /**
   * People of a fourth OIDC provider, `mail` ("Mail-like (test)"), whose verified e-mail addresses are
   * trusted: someone there with a demo person's address makes the API suggest a link.
   */
  readonly mailPeople?: readonly DemoPerson[];
}

async function startMailIssuer(url: string, people: readonly DemoPerson[]) {
  const client = {
    client_id: 'linkwell-mail',
    client_secret: 'mail-secret',
    redirect_uris: [`${url}/v1/auth/mail/callback`],
  };
  const issuer: SimOidcIssuer = await startSimOidcIssuer({
    displayName: 'Mail-like (test)',
    people,
    clients: [client],
  });
  const config: ProviderConfig = {
    id: 'mail',
    kind: 'oidc',
    display_name: 'Mail-like (test)',
    issuer: issuer.issuer,
    client_id: client.client_id,
    client_secret: client.client_secret,
    id_token_alg: 'RS256',
    scopes: ['openid', 'email', 'profile'],
    trust_email_verified: true,
  };
  return { config, close: () => issuer.close() };
}

/**
 * The real API (in-memory PGlite, fresh keys) serving the console, listening on loopback,
 * and identity-sim's three demo providers (Google-like, Apple-like, WeChat-style) to sign in with.
 */
export async function startConsoleApi(opts: ConsoleApiOptions = {}): Promise<ConsoleApi> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sims: DemoIdentityProviders = await startDemoIdentityProviders({
    redirectUriFor: (id) => `${url}/v1/auth/${id}/callback`,
  });
  const mail = opts.mailPeople === undefined ? undefined : await startMailIssuer(url, opts.mailPeople);
  const db = await openPglite();
  await migrate(db);
  let offset = 0;
  const app = buildApp({
    db,
    keys: generateSigningKeys(),
    // Nothing here reads time series; an address where nothing listens keeps InfluxDB out of it.
    influx: { url: 'http://127.0.0.1:9', database: 'linkwell' },
    metrics: new Registry(),
    logger: false,
    now: () => Date.now() + offset,
    // The app composition registers the console plugin (api/src/http/console.ts), as `api run` does.
    console: true,
    identity: {
      publicUrl: url,
      providers: [...(sims.providers as ProviderConfig[]), ...(mail === undefined ? [] : [mail.config])],
    },
  });
  await app.listen({ host: '127.0.0.1', port });
  return {
    url,
    app,
    db,
    advance: (ms) => {
      offset += ms;
    },
    async close() {
      await app.close();
      await db.close();
      await sims.close();
      await mail?.close();
    },
  };
}
