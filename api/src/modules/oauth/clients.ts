import { randomBytes } from 'node:crypto';
import { isAppScope } from '../../auth/scopes.js';
import type { Database } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { type ClientAuthMethod, type ClientRow, clientsRepository } from './repository/clients.js';
import { encryptSecret, newClientSecret } from './secrets.js';

export interface ClientInput {
  name: string;
  redirect_uris: string[];
  logo_uri?: string | null | undefined;
  policy_uri?: string | null | undefined;
  scopes: string[];
  /** `confidential` (a back end keeps a secret) or `public` (a browser or mobile app: PKCE only). */
  type?: 'confidential' | 'public' | undefined;
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | undefined;
  /** A partner back end also gets the client-credentials grant. */
  client_credentials?: boolean | undefined;
  sandbox?: boolean | undefined;
}

export interface ClientView {
  client_id: string;
  name: string;
  redirect_uris: string[];
  logo_uri: string | null;
  policy_uri: string | null;
  scopes: string[];
  grant_types: string[];
  token_endpoint_auth_method: ClientAuthMethod;
  sector: string;
  sandbox: boolean;
  created_at: string;
  secret_rotated_at: string | null;
  disabled_at: string | null;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

function invalid(field: string, detail: string): ApiError {
  return new ApiError('API_ERR_CLIENT_INVALID', detail, { field });
}

/**
 * Redirect URIs are matched exactly (OAuth 2.0 Security BCP §4.1.3), so they must be absolute, https (or http on
 * a loopback host, RFC 8252 §7.3), without fragment (RFC 6749 §3.1.2) or credentials. All must share one host:
 * the pairwise sector is that host (OIDC Core §8.1), and without a verified sector_identifier_uri a second host
 * would let one app claim another's sector.
 */
export function checkRedirectUris(uris: readonly string[]): void {
  if (uris.length === 0) throw invalid('redirect_uris', 'At least one redirect URI is required.');
  const hosts = new Set<string>();
  for (const uri of uris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw invalid('redirect_uris', `${uri.slice(0, 100)} is not an absolute URL.`);
    }
    if (url.hash !== '' || uri.includes('#'))
      throw invalid('redirect_uris', 'A redirect URI has no fragment.');
    if (url.username !== '' || url.password !== '')
      throw invalid('redirect_uris', 'No credentials in a redirect URI.');
    if (uri.includes('*'))
      throw invalid('redirect_uris', 'Wildcards are not allowed: redirect URIs match exactly.');
    const loopback = LOOPBACK.has(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw invalid('redirect_uris', `${url.origin} must be https (http only on a loopback host).`);
    }
    hosts.add(url.host);
  }
  if (hosts.size > 1)
    throw invalid('redirect_uris', 'All redirect URIs must share one host (the pairwise sector).');
}

function checkHttpsUrl(field: string, value: string | null | undefined): void {
  if (value === null || value === undefined) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, `${field} is not an absolute URL.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw invalid(field, `${field} must be https.`);
  }
}

function checkScopes(scopes: readonly string[]): void {
  const bad = scopes.find((s) => !isAppScope(s));
  if (bad !== undefined) throw invalid('scopes', `${bad} is not a scope apps can ask for.`);
}

export function viewOf(row: ClientRow): ClientView {
  const first = row.redirect_uris[0];
  return {
    client_id: row.client_id,
    name: row.name,
    redirect_uris: row.redirect_uris,
    logo_uri: row.logo_uri,
    policy_uri: row.policy_uri,
    scopes: row.scopes,
    grant_types: row.grant_types,
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    sector: first === undefined ? '' : new URL(first).host,
    sandbox: row.sandbox,
    created_at: row.created_at,
    secret_rotated_at: row.secret_rotated_at,
    disabled_at: row.disabled_at,
  };
}

/** Developers' self-service app registration (docs/oauth.md "Registering an app"). */
export function createClientsService(deps: {
  db: Database;
  now: () => number;
  secretKey: Buffer;
  /** Called when a client changes or is disabled, so cached facts about it go. */
  onClientChanged: (clientId: string) => void;
}) {
  const repo = clientsRepository(deps.db);
  const iso = () => new Date(deps.now()).toISOString();
  async function owned(owner: string, clientId: string): Promise<ClientRow> {
    const row = await repo.find(clientId);
    if (!row || row.owner_account_id !== owner) {
      throw new ApiError('API_ERR_CLIENT_NOT_FOUND', 'No app with this client id is registered by you.', {
        client_id: clientId,
      });
    }
    return row;
  }
  return {
    async register(
      owner: string,
      input: ClientInput,
    ): Promise<{ client: ClientView; client_secret: string | null }> {
      checkRedirectUris(input.redirect_uris);
      checkHttpsUrl('logo_uri', input.logo_uri);
      checkHttpsUrl('policy_uri', input.policy_uri);
      checkScopes(input.scopes);
      const isPublic = input.type === 'public';
      if (isPublic && input.client_credentials) {
        throw invalid(
          'client_credentials',
          'A public client has no secret, so it cannot use client credentials.',
        );
      }
      const secret = isPublic ? null : newClientSecret();
      const grantTypes = [
        'authorization_code',
        'refresh_token',
        ...(input.client_credentials ? ['client_credentials'] : []),
      ];
      const row = {
        client_id: `app_${randomBytes(12).toString('base64url')}`,
        owner_account_id: owner,
        name: input.name,
        redirect_uris: input.redirect_uris,
        logo_uri: input.logo_uri ?? null,
        policy_uri: input.policy_uri ?? null,
        scopes: [...new Set(input.scopes)],
        grant_types: grantTypes,
        token_endpoint_auth_method: isPublic
          ? ('none' as const)
          : (input.token_endpoint_auth_method ?? ('client_secret_basic' as const)),
        secret_ciphertext: secret === null ? null : encryptSecret(deps.secretKey, secret),
        sandbox: input.sandbox ?? false,
        created_at: iso(),
      };
      await repo.insert(row);
      const stored = await owned(owner, row.client_id);
      // The secret is shown this once; the platform keeps it only encrypted (docs/oauth.md).
      return { client: viewOf(stored), client_secret: secret };
    },
    async list(owner: string): Promise<ClientView[]> {
      return (await repo.listByOwner(owner)).map(viewOf);
    },
    async get(owner: string, clientId: string): Promise<ClientView> {
      return viewOf(await owned(owner, clientId));
    },
    async update(owner: string, clientId: string, patch: Partial<ClientInput>): Promise<ClientView> {
      await owned(owner, clientId);
      if (patch.redirect_uris !== undefined) checkRedirectUris(patch.redirect_uris);
      checkHttpsUrl('logo_uri', patch.logo_uri);
      checkHttpsUrl('policy_uri', patch.policy_uri);
      if (patch.scopes !== undefined) checkScopes(patch.scopes);
      const row = await repo.update(
        clientId,
        {
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.redirect_uris === undefined ? {} : { redirect_uris: patch.redirect_uris }),
          ...(patch.logo_uri === undefined ? {} : { logo_uri: patch.logo_uri }),
          ...(patch.policy_uri === undefined ? {} : { policy_uri: patch.policy_uri }),
          ...(patch.scopes === undefined ? {} : { scopes: [...new Set(patch.scopes)] }),
          ...(patch.sandbox === undefined ? {} : { sandbox: patch.sandbox }),
        },
        iso(),
      );
      deps.onClientChanged(clientId);
      return viewOf(row as ClientRow);
    },
    async rotateSecret(owner: string, clientId: string): Promise<{ client_secret: string }> {
      const row = await owned(owner, clientId);
      if (row.secret_ciphertext === null) {
        throw invalid('type', 'A public client has no secret to rotate.');
      }
      const secret = newClientSecret();
      await repo.setSecret(clientId, encryptSecret(deps.secretKey, secret), iso());
      deps.onClientChanged(clientId);
      return { client_secret: secret };
    },
    async disable(owner: string, clientId: string): Promise<void> {
      await owned(owner, clientId);
      await repo.disable(clientId, iso());
      deps.onClientChanged(clientId);
    },
  };
}
export type ClientsService = ReturnType<typeof createClientsService>;
