import type { Database, ProviderConfig } from '@linkwell/api';
import { type DemoPerson, type SimOidcIssuer, startSimOidcIssuer } from '@linkwell/identity-sim';
import type { FastifyInstance } from 'fastify';
import { startIdentityStack } from '../../src/identity/index.js';

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

export interface ConsoleApiOptions {
  /**
   * People of a fourth OIDC provider, `mail` ("Mail-like (test)"), whose verified e-mail addresses are
   * trusted: someone there with a demo person's address makes the API suggest a link.
   */
  readonly mailPeople?: readonly DemoPerson[];
}

async function startMailIssuer(url: string, people: readonly DemoPerson[]) {
  const client = {
    client_id: 'linkwell-mail',
    client_secret: 'mail-secret',
    redirect_uris: [`${url}/v1/auth/mail/callback`],
  };
  const issuer: SimOidcIssuer = await startSimOidcIssuer({
    displayName: 'Mail-like (test)',
    people,
    clients: [client],
  });
  const config: ProviderConfig = {
    id: 'mail',
    kind: 'oidc',
    display_name: 'Mail-like (test)',
    issuer: issuer.issuer,
    client_id: client.client_id,
    client_secret: client.client_secret,
    id_token_alg: 'RS256',
    scopes: ['openid', 'email', 'profile'],
    trust_email_verified: true,
  };
  return { config, close: () => issuer.close() };
}

/**
 * The real API (in-memory PGlite, fresh keys) serving the console, listening on loopback, and
 * identity-sim's three demo providers (Google-like, Apple-like, WeChat-style) to sign in with.
 */
export async function startConsoleApi(opts: ConsoleApiOptions = {}): Promise<ConsoleApi> {
  let mail: Awaited<ReturnType<typeof startMailIssuer>> | undefined;
  const stack = await startIdentityStack({
    console: true,
    extraProviders: async (url) => {
      if (opts.mailPeople === undefined) return [];
      mail = await startMailIssuer(url, opts.mailPeople);
      return [mail.config];
    },
  });
  return {
    url: stack.apiUrl,
    app: stack.app,
    db: stack.db,
    advance: stack.advance,
    async close() {
      await stack.close();
      await mail?.close();
    },
  };
}
