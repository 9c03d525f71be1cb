import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  generateSigningKeys,
  migrate,
  openPglite,
  type ProviderConfig,
  requireUser,
} from '@linkwell/api';
import { startDemoIdentityProviders } from '@linkwell/identity-sim';
import { Registry } from 'prom-client';
import { freePort } from '../harness/ports.js';
import type { IdentityStack } from '../identity/index.js';

/** The two bench routes: one handler, with and without the guard, so their difference is the guard alone. */
export const BENCH_ROUTES = { open: '/bench/open', guarded: '/bench/guarded' } as const;

export interface ApiBenchStack extends IdentityStack {
  /** First-party user tokens signed with the API's own key (what the CLI and the console use). */
  userToken(accountId: string): string;
}

/**
 * The real API (PGlite in memory) with identity-sim's demo providers, as `startIdentityStack` starts it,
 * plus two bench routes registered before the app starts: `startIdentityStack` listens at once, and a
 * started Fastify instance takes no new routes. The sign-in rate limit is lifted (the bench signs in
 * and connects apps far more often than people do).
 */
export async function startApiBenchStack(): Promise<ApiBenchStack> {
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const sims = await startDemoIdentityProviders({
    redirectUriFor: (id) => `${apiUrl}/v1/auth/${id}/callback`,
  });
  const db = await openPglite();
  await migrate(db);
  const keys = generateSigningKeys();
  let offset = 0;
  // App budgets (docs/oauth.md "Rate limits") stay in the request path, counting, but never refuse: the bench
  // sends one app's requests for one person far past 150 an hour. A spread, so this also builds against an
  // API without the setting.
  const lifted = { appRateLimits: { perPersonPerHour: 1_000_000_000, perClientPerMinute: 1_000_000_000 } };
  const app: ApiApp = buildApp({
    ...lifted,
    db,
    keys,
    influx: { url: 'http://127.0.0.1:9', database: 'linkwell' },
    metrics: new Registry(),
    now: () => Date.now() + offset,
    console: false,
    authRateLimitPerMinute: 1_000_000,
    identity: { publicUrl: apiUrl, providers: sims.providers as ProviderConfig[] },
  });
  // A small fixed body, so the difference between the two routes is authentication and nothing else.
  const body = { ok: true, metrics: ['heart_rate', 'blood_pressure', 'body_weight'] };
  app.get(BENCH_ROUTES.open, async () => body);
  app.get(BENCH_ROUTES.guarded, { preHandler: requireUser('trends.read') }, async () => body);
  await app.listen({ host: '127.0.0.1', port });
  const issuer = createTokenIssuer(keys);
  return {
    apiUrl,
    app,
    db,
    keys,
    sims,
    advance: (ms) => {
      offset += ms;
    },
    userToken: (accountId) => issuer.userToken(accountId),
    async close() {
      await app.close();
      await sims.close();
      await db.close();
    },
  };
}
