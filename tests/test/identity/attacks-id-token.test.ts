import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcEntry, openCallback, problemOf, rowCounts } from '../../src/identity/attack-kit.js';
import { type EvilIssuer, type EvilMode, startEvilIssuer } from '../../src/identity/evil-issuer.js';
import {
  type IdentityStack,
  startIdentityStack,
  startSignIn,
  TestBrowser,
} from '../../src/identity/index.js';

const EVE = { id: 'evil-eve-1', name: 'Eve', email: 'eve@evil.example', email_verified: true };

describe('ID tokens re-minted by a malicious issuer (alg confusion, alg none, unpublished key)', () => {
  let stack: IdentityStack;
  let evil: EvilIssuer;

  beforeAll(async () => {
    stack = await startIdentityStack({
      extraProviders: async (apiUrl) => {
        evil = await startEvilIssuer({ redirectUri: `${apiUrl}/v1/auth/evil/callback`, people: [EVE] });
        return [oidcEntry('evil', evil.issuer, evil.client, { alg: 'RS256' })];
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await evil?.close();
  });

  /** A whole sign-in at the evil issuer in a fresh browser, the callback opened as a JSON client. */
  async function signInWith(mode: EvilMode): Promise<Response> {
    const browser = new TestBrowser();
    evil.setMode(mode);
    const before = evil.minted.length;
    const res = await openCallback(browser, await startSignIn(browser, stack.apiUrl, 'evil', EVE.id));
    // The re-minted token really reached the API: exactly one token exchange, in this mode.
    expect(evil.minted.slice(before).map((m) => m.mode)).toEqual([mode]);
    return res;
  }

  it.each([
    ['alg-none', 'none'],
    ['hs256-client-secret', 'HS256'],
    ['hs256-public-key', 'HS256'],
  ] as const)(
    'refuses an ID token minted %s (header alg %s) with API_ERR_ID_TOKEN_INVALID and creates nothing',
    async (mode, alg) => {
      const before = await rowCounts(stack.db);
      const problem = await problemOf(await signInWith(mode));
      expect(evil.minted.at(-1)?.header.alg).toBe(alg);
      expect(problem).toMatchObject({
        status: 401,
        code: 'API_ERR_ID_TOKEN_INVALID',
        provider: 'evil',
        reason: 'alg',
        check: 'unexpected JWT "alg" header parameter',
      });
      expect(await rowCounts(stack.db)).toEqual(before);
    },
  );

  it('refuses an RS256 ID token signed with a key the issuer does not publish with API_ERR_ID_TOKEN_INVALID', async () => {
    const before = await rowCounts(stack.db);
    const problem = await problemOf(await signInWith('rs256-unlisted-key'));
    expect(problem).toMatchObject({
      status: 401,
      code: 'API_ERR_ID_TOKEN_INVALID',
      provider: 'evil',
      reason: 'signature',
      check: 'JWT signature verification failed',
    });
    expect(await rowCounts(stack.db)).toEqual(before);
  });

  it('accepts the same flow re-signed RS256 with the published key (control: the harness is sound)', async () => {
    const before = await rowCounts(stack.db);
    const res = await signInWith('resign-rs256');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      account_id: expect.stringMatching(/^acct_/),
      return_to: '/account',
    });
    expect((await rowCounts(stack.db)).accounts).toBe(before.accounts + 1);
    const { rows } = await stack.db.query<{ issuer: string; subject: string }>(
      "SELECT issuer, subject FROM identities WHERE provider = 'evil'",
    );
    expect(rows).toEqual([{ issuer: evil.issuer, subject: EVE.id }]);
  });
});
