import { type SimOidcIssuer, startSimOidcIssuer } from '@linkwell/identity-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callbackProblem,
  clientFor,
  getJson,
  oidcEntry,
  rowCounts,
  signedIn,
} from '../../src/identity/attack-kit.js';
import {
  call,
  type IdentityStack,
  startFlowAt,
  startIdentityStack,
  startSignIn,
  TestBrowser,
} from '../../src/identity/index.js';

const ROBIN = { id: 'acme-robin-42', name: 'Robin Acme', email: 'robin@acme.example', email_verified: true };

describe('an OIDC provider added through configuration only', () => {
  let stack: IdentityStack;
  let acme: SimOidcIssuer;

  beforeAll(async () => {
    stack = await startIdentityStack({
      extraProviders: async (apiUrl) => {
        const client = clientFor(apiUrl, 'acme');
        // The same issuer registered a second time with the wrong pinned algorithm (it signs RS256).
        const misconfigured = clientFor(apiUrl, 'acme-es');
        acme = await startSimOidcIssuer({
          displayName: 'Acme ID',
          people: [ROBIN],
          clients: [client, misconfigured],
        });
        return [
          oidcEntry('acme', acme.issuer, client, { displayName: 'Acme ID', trustEmail: true }),
          oidcEntry('acme-es', acme.issuer, misconfigured, { displayName: 'Acme ID (ES256)', alg: 'ES256' }),
        ];
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await acme?.close();
  });

  it('lists it after the three demo providers, in configuration order', async () => {
    const { providers } = (await (await fetch(`${stack.apiUrl}/v1/auth/providers`)).json()) as {
      providers: { id: string }[];
    };
    expect(providers.map((p) => p.id)).toEqual(['google', 'apple', 'wechat', 'acme', 'acme-es']);
    expect(providers[3]).toEqual({ id: 'acme', display_name: 'Acme ID', kind: 'oidc' });
  });

  it('signs in end to end: a new account keyed by (acme, issuer, subject) with its claims', async () => {
    const before = await rowCounts(stack.db);
    const robin = await signedIn(stack, 'acme', ROBIN.id);
    expect(await getJson(robin.browser, stack.apiUrl, '/v1/me')).toMatchObject({
      id: robin.accountId,
      display_name: 'Robin Acme',
    });
    const { identities } = await getJson<{ identities: Record<string, unknown>[] }>(
      robin.browser,
      stack.apiUrl,
      '/v1/me/identities',
    );
    expect(identities).toEqual([
      expect.objectContaining({
        provider: 'acme',
        provider_display_name: 'Acme ID',
        name: 'Robin Acme',
        email: 'robin@acme.example',
        email_verified: true,
      }),
    ]);
    const { rows } = await stack.db.query(
      'SELECT issuer, subject, email_trusted FROM identities WHERE provider = $1',
      ['acme'],
    );
    expect(rows).toEqual([{ issuer: acme.issuer, subject: ROBIN.id, email_trusted: true }]);
    expect(await rowCounts(stack.db)).toMatchObject({
      accounts: before.accounts + 1,
      identities: before.identities + 1,
      sessions: before.sessions + 1,
    });
  });

  it('signs the same person in again to the same account, and steps up with it', async () => {
    const first = await signedIn(stack, 'acme', ROBIN.id);
    const again = await signedIn(stack, 'acme', ROBIN.id);
    expect(again.accountId).toBe(first.accountId);
    const stepUp = await startFlowAt(again.browser, stack.apiUrl, '/v1/auth/step-up', 'acme', ROBIN.id);
    const res = await again.browser.get(stepUp);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    const audit = await getJson<{ entries: { action: string }[] }>(
      again.browser,
      stack.apiUrl,
      '/v1/me/audit',
    );
    expect(audit.entries[0]?.action).toBe('step_up');
    expect((await call(again.browser, stack.apiUrl, 'POST', '/v1/auth/signout')).status).toBe(204);
  });

  it('refuses ID tokens from an issuer whose algorithm differs from the pinned id_token_alg (reason alg)', async () => {
    const before = await rowCounts(stack.db);
    const browser = new TestBrowser();
    const callback = await startSignIn(browser, stack.apiUrl, 'acme-es', ROBIN.id);
    expect(await callbackProblem(browser, callback)).toMatchObject({
      status: 401,
      code: 'API_ERR_ID_TOKEN_INVALID',
      provider: 'acme-es',
      reason: 'alg',
    });
    expect(await rowCounts(stack.db)).toEqual(before);
  });
});
