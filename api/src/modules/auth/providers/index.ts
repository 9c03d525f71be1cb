import type { ProviderConfig } from './config.js';
import { createOidcProvider } from './oidc.js';
import type { UpstreamProvider } from './types.js';
import { createWechatProvider } from './wechat.js';

export * from './config.js';
export type { FlowSecrets, IdentityAssertion, UpstreamProvider } from './types.js';

/** The configured providers by id, in configuration order (the sign-in page shows them in that order). */
export function createProviders(configs: readonly ProviderConfig[]): ReadonlyMap<string, UpstreamProvider> {
  const map = new Map<string, UpstreamProvider>();
  for (const cfg of configs) {
    if (map.has(cfg.id)) throw new Error(`identity provider id ${cfg.id} is configured twice`);
    map.set(cfg.id, cfg.kind === 'oidc' ? createOidcProvider(cfg) : createWechatProvider(cfg));
  }
  return map;
}
