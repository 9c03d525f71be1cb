import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, type DemoIdentityProviders, startDemoIdentityProviders } from '../src/index.js';
import { formActionsOf, UserAgent } from './user-agent.js';

const redirectUriFor = (id: string) => `http://127.0.0.1:8080/auth/callback/${id}`;
const LOOPBACK = /^http:\/\/127\.0\.0\.1:\d+$/;

let demo: DemoIdentityProviders;

beforeAll(async () => {
  demo = await startDemoIdentityProviders({ redirectUriFor });
});
afterAll(() => demo?.close());

function entry<K extends 'oidc' | 'wechat'>(id: string, kind: K) {
  const found = demo.providers.find((p) => p.id === id);
  if (found?.kind !== kind) throw new Error(`no ${kind} provider ${id}`);
  return found as Extract<DemoIdentityProviders['providers'][number], { kind: K }>;
}

describe('demo identity providers', () => {
  it('lists google (RS256), apple (ES256) and wechat in the API’s provider configuration shape', () => {
    expect(demo.providers).toEqual([
      {
        id: 'google',
        kind: 'oidc',
        display_name: 'Google-like (demo)',
        issuer: expect.stringMatching(LOOPBACK),
        client_id: expect.stringMatching(/^linkwell-google-[0-9a-f]{12}$/),
        client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        scopes: ['openid', 'email', 'profile'],
        trust_email_verified: true,
        id_token_alg: 'RS256',
      },
      {
        id: 'apple',
        kind: 'oidc',
        display_name: 'Apple-like (demo)',
        issuer: expect.stringMatching(LOOPBACK),
        client_id: expect.stringMatching(/^linkwell-apple-[0-9a-f]{12}$/),
        client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        scopes: ['openid', 'email', 'profile'],
        trust_email_verified: true,
        id_token_alg: 'ES256',
      },
      {
        id: 'wechat',
        kind: 'wechat',
        display_name: 'WeChat-style (demo)',
        authorize_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/connect\/qrconnect$/),
        token_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/sns\/oauth2\/access_token$/),
        refresh_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/sns\/oauth2\/refresh_token$/),
        userinfo_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/sns\/userinfo$/),
        app_id: expect.stringMatching(/^wx[0-9a-f]{16}$/),
        app_secret: expect.stringMatching(/^[0-9a-f]{32}$/),
        scopes: ['snsapi_login'],
        trust_email_verified: false,
      },
    ]);
  });

  it('names the demo household and visitors with stable ids', () => {
    expect({
      google: DEMO_PEOPLE.google.map((p) => [p.id, p.name, p.email, p.email_verified]),
      apple: DEMO_PEOPLE.apple.map((p) => [p.id, p.name, p.email, p.email_verified]),
      wechat: DEMO_PEOPLE.wechat.map((p) => [p.id, p.name, p.email]),
    }).toEqual({
      google: [
        ['104857361029384756102', 'Alex Morgan', 'alex.morgan@example.com', true],
        ['117294630581726394058', 'Li Wei', 'li.wei@example.com', true],
      ],
      apple: [
        [
          '001742.8c1f3b5e9a2d4f6b8c0e1a3b5d7f9e2c.0917',
          'Sam Taylor',
          'sam.taylor@privaterelay.example',
          true,
        ],
      ],
      wechat: [
        ['wechat-li-wei', '李伟', undefined],
        ['wechat-zhang-min', '张敏', undefined],
      ],
    });
  });

  it('signs Li Wei in at the Google-like issuer with the configured client and redirect URI', async () => {
    const google = entry('google', 'oidc');
    const cfg = await client.discovery(
      new URL(google.issuer),
      google.client_id,
      google.client_secret,
      undefined,
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUriFor('google'),
      scope: google.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'demo-state',
      nonce,
    });
    const agent = new UserAgent();
    const page = await agent.follow(url, redirectUriFor('google'));
    expect(page.html).toContain('<h1>Sign in with Google-like (demo)</h1>');
    const { location } = await agent.follow(
      new URL(formActionsOf(page.html)[0]!, page.url),
      redirectUriFor('google'),
      {
        person: '117294630581726394058',
      },
    );
    const tokens = await client.authorizationCodeGrant(cfg, location!, {
      pkceCodeVerifier: verifier,
      expectedState: 'demo-state',
      expectedNonce: nonce,
    });
    const { sub, email, email_verified } = tokens.claims()!;
    expect({ sub, email, email_verified }).toEqual({
      sub: '117294630581726394058',
      email: 'li.wei@example.com',
      email_verified: true,
    });
  });

  it('lets 张敏 scan in at the WeChat-style provider and reads her nickname with the configured app', async () => {
    const wechat = entry('wechat', 'wechat');
    const query = new URLSearchParams({
      appid: wechat.app_id,
      redirect_uri: redirectUriFor('wechat'),
      response_type: 'code',
      scope: 'snsapi_login',
      state: 'demo-state',
    });
    const page = await (await fetch(`${wechat.authorize_url}?${query}`)).text();
    expect(page).toContain('<h1>Sign in with WeChat-style (demo)</h1>');
    const ticket = /name="ticket" value="([^"]*)"/.exec(page)![1]!;
    const scan = await fetch(new URL(formActionsOf(page)[0]!, wechat.authorize_url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ticket, person: 'wechat-zhang-min' }).toString(),
      redirect: 'manual',
    });
    const code = new URL(scan.headers.get('location')!).searchParams.get('code')!;
    const tokenQuery = {
      appid: wechat.app_id,
      secret: wechat.app_secret,
      code,
      grant_type: 'authorization_code',
    };
    const tokens = (await (await fetch(`${wechat.token_url}?${new URLSearchParams(tokenQuery)}`)).json()) as {
      access_token: string;
      openid: string;
    };
    const info = (await (
      await fetch(
        `${wechat.userinfo_url}?${new URLSearchParams({ access_token: tokens.access_token, openid: tokens.openid })}`,
      )
    ).json()) as { nickname: string };
    expect(info.nickname).toBe('张敏');
  });

  it('hands out new client ids, secrets and app ids on every start', async () => {
    const second = await startDemoIdentityProviders({ redirectUriFor });
    try {
      const credentials = (d: DemoIdentityProviders) =>
        d.providers.flatMap((p) =>
          p.kind === 'oidc' ? [p.client_id, p.client_secret] : [p.app_id, p.app_secret],
        );
      const first = credentials(demo);
      expect(credentials(second).filter((c) => first.includes(c))).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
