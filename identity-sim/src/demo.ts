import { randomBytes } from 'node:crypto';
import { type SimOidcIssuer, startSimOidcIssuer } from './oidc-issuer.js';
import type { DemoPerson } from './types.js';
import { type SimWechatProvider, startSimWechatProvider } from './wechat-provider.js';

/**
 * The demo household: Li Wei and Zhang Min, who sign in with WeChat; Li Wei also has a Google-like account (to
 * show account linking). Alex Morgan and Sam Taylor are the Google-like and Apple-like visitors. Ids never change,
 * so a relying party's stored links survive restarts.
 */
export const DEMO_PEOPLE: { google: DemoPerson[]; apple: DemoPerson[]; wechat: DemoPerson[] } = {
  google: [
    {
      id: '104857361029384756102',
      name: 'Alex Morgan',
      email: 'alex.morgan@example.com',
      email_verified: true,
      locale: 'en',
    },
    {
      id: '117294630581726394058',
      name: 'Li Wei',
      email: 'li.wei@example.com',
      email_verified: true,
      locale: 'zh-CN',
    },
  ],
  apple: [
    {
      id: '001742.8c1f3b5e9a2d4f6b8c0e1a3b5d7f9e2c.0917',
      name: 'Sam Taylor',
      email: 'sam.taylor@privaterelay.example',
      email_verified: true,
    },
  ],
  wechat: [
    { id: 'wechat-li-wei', name: '李伟', locale: 'zh-CN' },
    { id: 'wechat-zhang-min', name: '张敏', locale: 'zh-CN' },
  ],
};

/** Upstream provider entries, exactly the shape the API's provider configuration validates. */
export type UpstreamProviderConfig =
  | {
      id: string;
      kind: 'oidc';
      display_name: string;
      issuer: string;
      client_id: string;
      client_secret: string;
      scopes: string[];
      trust_email_verified: boolean;
      id_token_alg: 'RS256' | 'ES256';
    }
  | {
      id: string;
      kind: 'wechat';
      display_name: string;
      authorize_url: string;
      token_url: string;
      refresh_url: string;
      userinfo_url: string;
      app_id: string;
      app_secret: string;
      scopes: string[];
      trust_email_verified: false;
    };

export interface DemoIdentityProviders {
  providers: UpstreamProviderConfig[];
  /**
   * The subject a relying party keys this person's identity by: the OIDC `sub`, or the WeChat unionid.
   * `linkwell up` uses it to link the demo account to a demo person.
   */
  subjectOf(provider: 'google' | 'apple' | 'wechat', personId: string): string;
  close(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Starts google (Google-like, RS256), apple (Apple-like, ES256) and wechat on free loopback ports. */
export async function startDemoIdentityProviders(opts: {
  host?: string;
  redirectUriFor: (providerId: string) => string;
  /**
   * Fixed ports (default: free ones). An OIDC issuer is its URL, so a relying party that keeps its
   * identities across restarts (`linkwell up` with a data dir) needs the same ports every time.
   */
  ports?: { google?: number; apple?: number; wechat?: number };
}): Promise<DemoIdentityProviders> {
  const host = opts.host ?? '127.0.0.1';
  // Fresh credentials per start: nothing in a demo should work with a secret that leaked from a previous run.
  const client = (id: string) => ({
    client_id: `linkwell-${id}-${hex(6)}`,
    client_secret: randomBytes(32).toString('base64url'),
    redirect_uris: [opts.redirectUriFor(id)],
  });
  const googleClient = client('google');
  const appleClient = client('apple');
  // WeChat's formats: appid "wx" + 16 hex digits, AppSecret 32 hex digits.
  const app = {
    appid: `wx${hex(8)}`,
    secret: hex(16),
    redirect_uri_prefixes: [opts.redirectUriFor('wechat')],
  };

  const started = await Promise.allSettled([
    startSimOidcIssuer({
      host,
      port: opts.ports?.google ?? 0,
      displayName: 'Google-like (demo)',
      people: DEMO_PEOPLE.google,
      clients: [googleClient],
    }),
    startSimOidcIssuer({
      host,
      port: opts.ports?.apple ?? 0,
      displayName: 'Apple-like (demo)',
      people: DEMO_PEOPLE.apple,
      clients: [appleClient],
      signingAlg: 'ES256',
    }),
    startSimWechatProvider({
      host,
      port: opts.ports?.wechat ?? 0,
      displayName: 'WeChat-style (demo)',
      people: DEMO_PEOPLE.wechat,
      apps: [app],
    }),
  ]);
  const close = () =>
    Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined))).then(
      () => undefined,
    );
  const [google, apple, wechat] = started;
  if (google?.status !== 'fulfilled' || apple?.status !== 'fulfilled' || wechat?.status !== 'fulfilled') {
    await close();
    const failure = started.find((s) => s.status === 'rejected');
    throw failure?.reason ?? new Error('a demo provider failed to start');
  }
  return {
    providers: [
      oidcEntry('google', 'Google-like (demo)', google.value, googleClient, 'RS256'),
      oidcEntry('apple', 'Apple-like (demo)', apple.value, appleClient, 'ES256'),
      wechatEntry(wechat.value, app),
    ],
    subjectOf: (provider, personId) => (provider === 'wechat' ? wechat.value.unionidOf(personId) : personId),
    close,
  };
}

function oidcEntry(
  id: string,
  display_name: string,
  issuer: SimOidcIssuer,
  client: { client_id: string; client_secret: string },
  id_token_alg: 'RS256' | 'ES256',
): UpstreamProviderConfig {
  return {
    id,
    kind: 'oidc',
    display_name,
    issuer: issuer.issuer,
    client_id: client.client_id,
    client_secret: client.client_secret,
    scopes: ['openid', 'email', 'profile'],
    // Google and Apple set email_verified only for addresses they checked, so a relying party may rely on it.
    trust_email_verified: true,
    id_token_alg,
  };
}

function wechatEntry(
  wechat: SimWechatProvider,
  app: { appid: string; secret: string },
): UpstreamProviderConfig {
  return {
    id: 'wechat',
    kind: 'wechat',
    display_name: 'WeChat-style (demo)',
    authorize_url: wechat.authorizeUrl,
    token_url: wechat.tokenUrl,
    refresh_url: wechat.refreshUrl,
    userinfo_url: wechat.userinfoUrl,
    app_id: app.appid,
    app_secret: app.secret,
    scopes: ['snsapi_login'],
    // WeChat shares no e-mail address at all.
    trust_email_verified: false,
  };
}
