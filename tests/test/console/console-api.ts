import {
  buildApp,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
  type ProviderConfig,
} from '@linkwell/api';
import { type DemoIdentityProviders, startDemoIdentityProviders } from '@linkwell/identity-sim';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
// Not yet re-exported by @linkwell/api's index: the lead wires the console into the app composition.
import { registerConsole } from '../../../api/dist/http/console.js';
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

/**
 * The real API (in-memory PGlite, fresh keys) with the console registered on it, listening on loopback,
 * and identity-sim's three demo providers (Google-like, Apple-like, WeChat-style) to sign in with.
 */
export async function startConsoleApi(): Promise<ConsoleApi> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sims: DemoIdentityProviders = await startDemoIdentityProviders({
    redirectUriFor: (id) => `${url}/v1/auth/${id}/callback`,
  });
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
    identity: { publicUrl: url, providers: sims.providers as ProviderConfig[] },
  });
  await registerConsole(app);
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
    },
  };
}
