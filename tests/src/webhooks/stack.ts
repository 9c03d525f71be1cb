import type { buildApp, Database, SigningKeys } from '@linkwell/api';
import { Registry } from 'prom-client';
import { type IdentityStack, startIdentityStack } from '../identity/index.js';

export type WebhookSettings = NonNullable<Parameters<typeof buildApp>[0]['webhooks']>;

/**
 * The real API (PGlite in memory, the demo identity providers) with webhook settings a test chooses: a short
 * poll so deliveries follow within milliseconds, and the API clock (`advance`) that the retry schedule runs on.
 */
export async function startWebhookStack(
  webhooks: WebhookSettings,
  opts: { db?: Database; oauthKeys?: SigningKeys } = {},
): Promise<IdentityStack & { metrics: Registry }> {
  const metrics = new Registry();
  const stack = await startIdentityStack({ ...opts, webhooks, metrics });
  return { ...stack, metrics };
}
