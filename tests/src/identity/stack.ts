import {
  buildApp,
  type Database,
  generateSigningKeys,
  type InfluxSettings,
  migrate,
  openPglite,
  type ProviderConfig,
  type SigningKeys,
} from '@linkwell/api';
import { DEMO_PEOPLE, type DemoIdentityProviders, startDemoIdentityProviders } from '@linkwell/identity-sim';
import { Registry } from 'prom-client';
import { freePort } from '../harness/ports.js';

export interface IdentityStack {
  apiUrl: string;
  app: ReturnType<typeof buildApp>;
  db: Database;
  keys: SigningKeys;
  /** The authorization server's own key (signs app access tokens and ID tokens); tests forge tokens with it. */
  oauthKeys?: SigningKeys;
  sims: DemoIdentityProviders;
  /** Moves the API's clock (sessions, step-up, transactions) forward; the providers keep real time. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export interface IdentityStackOptions {
  /** Providers added after the demo ones (or instead of them with `replaceProviders`). */
  extraProviders?: (apiUrl: string) => Promise<ProviderConfig[]> | ProviderConfig[];
  influx?: InfluxSettings;
  /** Per-client sign-in budget a minute (benchmarks sign in far more often than people do). */
  authRateLimitPerMinute?: number;
  /** Serve the web console at `/`, as `api run` and `linkwell up` do. */
  console?: boolean;
  /** A pino logger for the API (tests that read what it logs). */
  logger?: import('pino').Logger;
  /** A migrated database to use instead of a fresh in-memory PGlite (e.g. one ingest shares); not closed. */
  db?: Database;
  /** Signing keys to use (e.g. the ones ingest verifies gateway tokens with). */
  keys?: SigningKeys;
  /** The authorization server's key; a fresh one when absent (exposed on the stack either way). */
  oauthKeys?: SigningKeys;
  /** Third-party app budgets (per app and person an hour, per app a minute). */
  appRateLimits?: Parameters<typeof buildApp>[0]['appRateLimits'];
  /** Device-flow settings for gateways (their MQTT URL, poll interval). */
  deviceFlow?: Parameters<typeof buildApp>[0]['deviceFlow'];
  /** Webhook delivery settings (tests/src/webhooks/stack.ts). */
  webhooks?: Parameters<typeof buildApp>[0]['webhooks'];
  /** The API's metrics registry (a fresh one when absent). */
  metrics?: Registry;
}

/**
 * The real API on a free loopback port with PGlite in memory and the three simulated providers
 * (identity-sim) configured exactly as `linkwell up` configures them.
 */
export async function startIdentityStack(
  opts: IdentityStackOptions = {},
): Promise<IdentityStack & { oauthKeys: SigningKeys }> {
  // The port is chosen before the API can listen on it (the providers' redirect URIs name it), so another
  // process can take it in between; with many suites in parallel that happens. Start again on a new port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startIdentityStackOnce(opts);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
}

async function startIdentityStackOnce(
  opts: IdentityStackOptions,
): Promise<IdentityStack & { oauthKeys: SigningKeys }> {
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const sims = await startDemoIdentityProviders({
    redirectUriFor: (id) => `${apiUrl}/v1/auth/${id}/callback`,
  });
  const ownsDb = opts.db === undefined;
  const db = opts.db ?? (await openPglite());
  if (ownsDb) await migrate(db);
  const keys = opts.keys ?? generateSigningKeys();
  const oauthKeys = opts.oauthKeys ?? generateSigningKeys();
  let offset = 0;
  const extra = opts.extraProviders ? await opts.extraProviders(apiUrl) : [];
  const app = buildApp({
    db,
    keys,
    oauthKeys,
    influx: opts.influx ?? { url: 'http://127.0.0.1:9', database: 'linkwell' },
    metrics: opts.metrics ?? new Registry(),
    now: () => Date.now() + offset,
    ...(opts.webhooks ? { webhooks: opts.webhooks } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    console: opts.console ?? false,
    ...(opts.deviceFlow ? { deviceFlow: opts.deviceFlow } : {}),
    ...(opts.appRateLimits ? { appRateLimits: opts.appRateLimits } : {}),
    ...(opts.authRateLimitPerMinute ? { authRateLimitPerMinute: opts.authRateLimitPerMinute } : {}),
    identity: { publicUrl: apiUrl, providers: [...(sims.providers as ProviderConfig[]), ...extra] },
  });
  try {
    await app.listen({ host: '127.0.0.1', port });
  } catch (err) {
    await app.close();
    await sims.close();
    if (ownsDb) await db.close();
    throw err;
  }
  return {
    apiUrl,
    app,
    db,
    keys,
    oauthKeys,
    sims,
    advance: (ms) => {
      offset += ms;
    },
    async close() {
      await app.close();
      await sims.close();
      if (ownsDb) await db.close();
    },
  };
}

/** A demo person's subject at a simulated provider, by name, e.g. personId('wechat', '李伟'). */
export function personId(provider: keyof typeof DEMO_PEOPLE, name: string): string {
  const person = DEMO_PEOPLE[provider].find((p) => p.name === name);
  if (!person) throw new Error(`no demo person ${name} at ${provider}`);
  return person.id;
}

export async function count(db: Database, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}
