import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration, type JWK } from 'oidc-provider';
import { assertUniqueIds } from './errors.js';
import { closeServer, listen, originOf } from './http.js';
import { handleInteraction, isInteractionPath, renderProviderError } from './oidc-interactions.js';
import { issuerStore } from './oidc-store.js';
import type { DemoPerson, OidcClientRegistration } from './types.js';

export interface SimOidcIssuerOptions {
  host?: string;
  port?: number;
  /** Shown on its sign-in page, e.g. "Google-like". */
  displayName: string;
  people: readonly DemoPerson[];
  clients: readonly OidcClientRegistration[];
  /** Default RS256 (Google); the Apple-like issuer uses ES256 as Apple does. */
  signingAlg?: 'RS256' | 'ES256';
}

export interface SimOidcIssuer {
  /** http://HOST:PORT, no trailing slash. */
  issuer: string;
  close(): Promise<void>;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Starts an OpenID Provider (authorization code + PKCE only) on loopback with its own sign-in page. */
export async function startSimOidcIssuer(opts: SimOidcIssuerOptions): Promise<SimOidcIssuer> {
  assertUniqueIds(
    opts.people.map((p) => p.id),
    'person',
  );
  assertUniqueIds(
    opts.clients.map((c) => c.client_id),
    'client',
  );
  const host = opts.host ?? '127.0.0.1';
  // The issuer URL needs the port, so the server listens first and the provider is plugged in once it exists.
  let ready: { provider: Provider; callback: ReturnType<Provider['callback']> } | undefined;
  const server = createServer((req, res) => {
    if (!ready) {
      res.writeHead(503).end();
      return;
    }
    if (isInteractionPath(req.url))
      void handleInteraction(ready.provider, opts.displayName, opts.people, req, res);
    else void ready.callback(req, res);
  });
  const port = await listen(server, host, opts.port ?? 0);
  const issuer = originOf(host, port);
  const provider = new Provider(issuer, await configuration(opts, port));
  ready = { provider, callback: provider.callback() };
  return { issuer, close: () => closeServer(server) };
}

async function configuration(opts: SimOidcIssuerOptions, port: number): Promise<Configuration> {
  const alg = opts.signingAlg ?? 'RS256';
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = {
    ...(await exportJWK(privateKey)),
    alg,
    use: 'sig',
    kid: `${alg.toLowerCase()}-${port}`,
  } as JWK;
  const people = new Map(opts.people.map((p) => [p.id, p]));
  return {
    adapter: issuerStore(opts.clients),
    jwks: { keys: [jwk] },
    // With a single key type only its alg can sign; advertise exactly that (Core §3.1.3.7 step 7 on the RP side).
    enabledJWA: { idTokenSigningAlgValues: [alg] },
    clientDefaults: { id_token_signed_response_alg: alg },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    // RFC 7636 for every client, confidential ones included, as the platform's own relying party always sends it.
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email'],
    claims: { openid: ['sub'], profile: ['name', 'picture', 'locale'], email: ['email', 'email_verified'] },
    // Google and Apple put the e-mail claims in the ID token of the code flow too; oidc-provider by default keeps
    // them for userinfo (Core §5.4), which would hide the very claims relying parties link accounts by.
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => {
      const person = people.get(sub);
      if (!person) return undefined;
      return { accountId: person.id, claims: () => claimsOf(person) };
    },
    features: {
      devInteractions: { enabled: false },
      // Google publishes no end_session_endpoint; relying parties sign out locally.
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: { enabled: false },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out) => renderProviderError(ctx, opts.displayName, out),
    // Browsers share cookies between ports of one host (RFC 6265 §8.5), so the Google-like and Apple-like issuers
    // on 127.0.0.1 would overwrite each other's session; the port keeps the names apart.
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: { session: `_session_${port}`, interaction: `_interaction_${port}`, resume: `_resume_${port}` },
    },
    ttl: {
      AccessToken: HOUR,
      AuthorizationCode: MINUTE,
      IdToken: HOUR,
      Interaction: 10 * MINUTE,
      Session: DAY,
      Grant: DAY,
    },
  };
}

function claimsOf(person: DemoPerson): { sub: string; [claim: string]: unknown } {
  return {
    sub: person.id,
    name: person.name,
    email: person.email,
    email_verified: person.email === undefined ? undefined : (person.email_verified ?? false),
    picture: person.picture,
    locale: person.locale,
  };
}
