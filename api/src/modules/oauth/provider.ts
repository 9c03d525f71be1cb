import Provider, {
  type Adapter,
  type AdapterPayload,
  type Configuration,
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { SESSION_COOKIE, type SessionLookup } from '../../auth/guard.js';
import { APP_SCOPES } from '../../auth/scopes.js';
import type { Database } from '../../db/sql-client.js';
import { OAUTH_PATHS, type OAuthTtl } from './options.js';
import { type ClientsRepository, clientsRepository } from './repository/clients.js';
import { sqlAdapterFactory } from './repository/models.js';
import { subjectsRepository } from './repository/subjects.js';
import { decryptSecret, type OAuthSecrets, pairwiseSubject } from './secrets.js';

export interface ProviderDeps {
  db: Database;
  /** The API's external origin, which is also the issuer (discovery at /.well-known/openid-configuration). */
  issuer: string;
  /** RFC 8707 resource indicator of the Linkwell API; the `aud` of every access token. */
  apiResource: string;
  secrets: OAuthSecrets;
  sessions: SessionLookup;
  /** Whether an account exists (a merged-away or erased account can no longer authorize or refresh). */
  accountExists: (accountId: string) => Promise<boolean>;
  now: () => number;
  ttl: OAuthTtl;
  secureCookies: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The sector a pairwise subject is computed for (OIDC Core §8.1): the redirect host. Every loopback app in
 * development would share the host 127.0.0.1, so there the client id is part of the sector too.
 * oidc-provider derives the sector from `URL.host`, which keeps the port ("127.0.0.1:9"): the loopback test
 * looks at the host name alone, or every dev app on one port would share a `sub`.
 */
export function sectorOf(client: { sectorIdentifier?: string | undefined; clientId: string }): string {
  const host = client.sectorIdentifier ?? '';
  const hostname = host.replace(/:\d+$/, '');
  return host === '' || LOOPBACK_HOSTS.has(hostname) ? `${host}#${client.clientId}` : host;
}

/** The sector of a registered client, as oidc-provider derives it: the host of its first redirect URI. */
export function registeredSector(clientId: string, redirectUris: readonly string[]): string {
  const first = redirectUris[0];
  return sectorOf({ clientId, sectorIdentifier: first === undefined ? undefined : new URL(first).host });
}

/** A registered client as oidc-provider's client metadata (RFC 7591 §2). */
export function clientMetadata(
  row: NonNullable<Awaited<ReturnType<ClientsRepository['find']>>>,
  secretKey: Buffer,
): AdapterPayload {
  const code = row.grant_types.includes('authorization_code');
  return {
    client_id: row.client_id,
    ...(row.secret_ciphertext === null
      ? {}
      : { client_secret: decryptSecret(secretKey, row.secret_ciphertext) }),
    client_name: row.name,
    ...(row.logo_uri === null ? {} : { logo_uri: row.logo_uri }),
    ...(row.policy_uri === null ? {} : { policy_uri: row.policy_uri }),
    redirect_uris: row.redirect_uris,
    grant_types: row.grant_types,
    response_types: code ? (['code'] as const) : [],
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    // Pairwise by default (the issue's WeChat-openid rule): two apps never see one `sub` for a person.
    subject_type: code ? 'pairwise' : 'public',
    // Data scopes are the API resource's, not OpenID scopes: the registration is kept in a private member and
    // getResourceServerInfo offers this client exactly those (RFC 8707 §2, per-client resource scopes).
    'urn:linkwell:scopes': row.scopes.join(' '),
    id_token_signed_response_alg: 'ES256',
  };
}

function htmlEscape(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/**
 * The authorization server's configuration. Choices and their sources are in docs/oauth.md; in short:
 * code flow only, PKCE (RFC 7636, S256) for every client, refresh tokens rotated on every use (OAuth 2.0
 * Security BCP §4.14.2), RFC 9068 JWT access tokens for the one resource (RFC 8707), pairwise subjects,
 * introspection (RFC 7662), revocation (RFC 7009) and client credentials; dev interactions and the device
 * flow off (gateways keep their own RFC 8628 endpoints, docs/decisions.md).
 */
export function createProvider(deps: ProviderDeps): Provider {
  const clients = clientsRepository(deps.db);
  const subjects = subjectsRepository(deps.db);
  const clientSource = (): Adapter => ({
    async find(id) {
      const row = await clients.find(id);
      if (!row || row.disabled_at !== null) return undefined;
      return clientMetadata(row, deps.secrets.secretKey);
    },
    upsert: async () => undefined,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    consume: async () => undefined,
    destroy: async () => undefined,
    revokeByGrantId: async () => undefined,
  });

  const linkwellSession = new interactionPolicy.Check(
    'linkwell_session',
    'The Linkwell sign-in behind this session has ended or belongs to someone else',
    async (ctx) => {
      if (ctx.oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const cookie = ctx.cookies.get(SESSION_COOKIE, { signed: false });
      const session = cookie ? await deps.sessions.byCookie(cookie) : undefined;
      return session !== undefined && session.account_id === ctx.oidc.session?.accountId
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    },
  );
  const policy = interactionPolicy.base();
  policy.get('login')?.checks.add(linkwellSession);

  const configuration: Configuration = {
    adapter: sqlAdapterFactory(deps.db, { now: deps.now, clientSource }),
    jwks: { keys: [deps.secrets.jwk] },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    clientDefaults: {
      id_token_signed_response_alg: 'ES256',
      grant_types: ['authorization_code', 'refresh_token'],
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    extraClientMetadata: { properties: ['urn:linkwell:scopes'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'] },
    subjectTypes: ['public', 'pairwise'],
    async pairwiseIdentifier(_ctx, accountId, client) {
      const sector = sectorOf(client);
      const sub = pairwiseSubject(deps.secrets.pairwisePepper, sector, accountId);
      await subjects.remember(sub, sector, accountId, new Date(deps.now()).toISOString());
      return sub;
    },
    async findAccount(_ctx, id) {
      if (!(await deps.accountExists(id))) return undefined;
      return { accountId: id, claims: () => ({ sub: id }) };
    },
    async extraTokenClaims(_ctx, token) {
      // The grant id lets the resource server kill a token as soon as its grant is revoked (connections page,
      // code replay, refresh-token replay) instead of waiting for `exp` (docs/oauth.md "Revocation").
      const grantId = (token as { grantId?: string }).grantId;
      return grantId === undefined ? undefined : { gid: grantId };
    },
    rotateRefreshToken: () => true,
    // OpenID requests need offline_access, which OIDC Core §11 honours only with prompt=consent; plain OAuth 2.0
    // requests (partner-cloud account linking, Google Home / Alexa style, send no `openid`) always get one.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || !code.scopes.has('openid')),
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: false },
      clientCredentials: { enabled: true },
      // A client introspects only its own tokens: answering another client's would hand it that app's
      // pairwise `sub` (OIDC Core §8.1), which RFC 7662 §4 leaves to the server to withhold.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, caller, token) => caller.clientId === token.clientId,
      },
      // RFC 7009 §2.2: another client's token is treated as one this client cannot revoke: 200, nothing revoked,
      // and no error that would confirm the token exists.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, caller, token) => caller.clientId === token.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      registration: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => deps.apiResource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => {
          if (resource !== deps.apiResource) throw new errors.InvalidTarget();
          const registered = new Set(String(client.metadata()['urn:linkwell:scopes'] ?? '').split(' '));
          return {
            scope: APP_SCOPES.filter((x) => registered.has(x)).join(' '),
            audience: deps.apiResource,
            accessTokenTTL: deps.ttl.accessTokenSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${OAUTH_PATHS.interaction}/${interaction.uid}`,
    },
    routes: OAUTH_PATHS.routes,
    cookies: {
      keys: deps.secrets.cookieKeys,
      long: { secure: deps.secureCookies, httpOnly: true, sameSite: 'lax' },
      short: { secure: deps.secureCookies, httpOnly: true, sameSite: 'lax' },
    },
    ttl: {
      AccessToken: deps.ttl.accessTokenSeconds,
      ClientCredentials: deps.ttl.accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 15 * 60,
      Session: 14 * 86_400,
      Grant: deps.ttl.refreshTokenSeconds,
      RefreshToken: deps.ttl.refreshTokenSeconds,
    },
    renderError: (ctx: KoaContextWithOIDC, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Linkwell sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<main><h1>This app's request could not be completed</h1>
<p><code>${htmlEscape(out.error)}</code>: ${htmlEscape(out.error_description ?? '')}</p>
<p><a href="/">Back to Linkwell</a></p></main></body></html>`;
    },
  };
  const provider = new Provider(deps.issuer, configuration);
  if (new URL(deps.issuer).protocol === 'https:') provider.proxy = true;
  return provider;
}
