import Provider, { type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import type { OidcClientRegistration } from './types.js';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number | undefined;
}

const SWEEP_EVERY_MS = 60_000;

// Tokens die with their grant. Sessions and interactions also carry a grantId but must outlive a revocation:
// switching accounts revokes the old grant while the new sign-in's interaction is still under way.
const GRANT_BOUND = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken']);

/**
 * In-memory storage for one issuer. oidc-provider's bundled memory adapter keeps one module-wide store (shared by
 * every issuer in the process) and warns on start, so each simulated issuer gets its own.
 */
export function issuerStore(clients: readonly OidcClientRegistration[]): AdapterFactory {
  const entries = new Map<string, Entry>();
  const sessionByUid = new Map<string, string>();
  const keysByGrant = new Map<string, Set<string>>();
  let lastSweep = Date.now();

  const live = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  };
  const sweep = (): void => {
    if (Date.now() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = Date.now();
    for (const key of entries.keys()) live(key);
  };

  return (model: string): Adapter => {
    if (model === 'Client') return clientSource(clients);
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        sweep();
        const key = keyOf(id);
        entries.set(key, {
          payload,
          expiresAt: expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000,
        });
        if (model === 'Session' && payload.uid !== undefined) sessionByUid.set(payload.uid, id);
        if (GRANT_BOUND.has(model) && payload.grantId !== undefined) {
          const keys = keysByGrant.get(payload.grantId) ?? new Set<string>();
          keysByGrant.set(payload.grantId, keys.add(key));
        }
      },
      async find(id) {
        return live(keyOf(id));
      },
      async findByUid(uid) {
        const id = sessionByUid.get(uid);
        return id === undefined ? undefined : live(keyOf(id));
      },
      // Device flow is off, so no user codes are ever stored.
      async findByUserCode() {
        return undefined;
      },
      async consume(id) {
        const payload = live(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of keysByGrant.get(grantId) ?? []) entries.delete(key);
        keysByGrant.delete(grantId);
      },
    };
  };
}

/**
 * Clients are served through the adapter rather than the static `clients` list so that each one accepts both
 * client_secret_basic and client_secret_post, as Google does: oidc-provider binds a client to the single
 * registered `token_endpoint_auth_method` (OIDC Core §9), so the method is chosen from the request at hand.
 * The provider caches one client object per distinct metadata, so this costs two cached objects per client.
 */
function clientSource(clients: readonly OidcClientRegistration[]): Adapter {
  const none = async () => undefined;
  return {
    async find(id) {
      const client = clients.find((c) => c.client_id === id);
      if (!client) return undefined;
      const basic = /^basic /i.test(Provider.ctx?.get('authorization') ?? '');
      return {
        client_id: client.client_id,
        client_secret: client.client_secret,
        redirect_uris: [...client.redirect_uris],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: basic ? 'client_secret_basic' : 'client_secret_post',
      };
    },
    upsert: none,
    findByUid: none,
    findByUserCode: none,
    consume: none,
    destroy: none,
    revokeByGrantId: none,
  };
}
