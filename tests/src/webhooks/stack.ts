import {
  buildApp,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
  type ProviderConfig,
  type SigningKeys,
} from '@linkwell/api';
import { startDemoIdentityProviders } from '@linkwell/identity-sim';
import { Registry } from 'prom-client';
import { freePort } from '../harness/ports.js';
import type { IdentityStack } from '../identity/index.js';

export type WebhookSettings = NonNullable<Parameters<typeof buildApp>[0]['webhooks']>;

/**
 * The real API (PGlite in memory, the demo identity providers) with webhook settings a test chooses: a short
 * poll so deliveries follow within milliseconds, and the API clock (`advance`) that the retry schedule runs on.
 */
export async function startWebhookStack(
  webhooks: WebhookSettings,
  opts: { db?: Database; oauthKeys?: SigningKeys } = {},
): Promise<IdentityStack & { metrics: Registry }> {
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const sims = await startDemoIdentityProviders({
    redirectUriFor: (id) => `${apiUrl}/v1/auth/${id}/callback`,
  });
  const ownsDb = opts.db === undefined;
  const db = opts.db ?? (await openPglite());
  if (ownsDb) await migrate(db);
  const keys = generateSigningKeys();
  const oauthKeys = opts.oauthKeys ?? generateSigningKeys();
  const metrics = new Registry();
  let offset = 0;
  const app = buildApp({
    db,
    keys,
    oauthKeys,
    influx: { url: 'http://127.0.0.1:9', database: 'linkwell' },
    metrics,
    now: () => Date.now() + offset,
    identity: { publicUrl: apiUrl, providers: sims.providers as ProviderConfig[] },
    webhooks,
  });
  await app.listen({ host: '127.0.0.1', port });
  return {
    apiUrl,
    app,
    db,
    keys,
    oauthKeys,
    sims,
    metrics,
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
