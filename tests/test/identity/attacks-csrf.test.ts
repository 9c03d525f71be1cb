import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf, rowCounts, type SignedIn, signedIn } from '../../src/identity/attack-kit.js';
import {
  call,
  csrfToken,
  type IdentityStack,
  personId,
  startIdentityStack,
} from '../../src/identity/index.js';
import { acceptOffer, type MergeOffer, mergeOfferFor } from '../../src/identity/merge-offer.js';

type Forgery = (apiUrl: string) => Promise<Record<string, string>>;

describe('cross-site requests with the session cookie (CSRF) on link, unlink, merge, undo and sign-out', () => {
  let stack: IdentityStack;
  let offer: MergeOffer;
  let other: SignedIn;

  beforeAll(async () => {
    stack = await startIdentityStack();
    offer = await mergeOfferFor(stack);
    other = await signedIn(stack, 'apple', personId('apple', 'Sam Taylor'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  const FORGERIES: [string, Forgery][] = [
    ['without x-csrf-token', async () => ({})],
    [
      "with another session's x-csrf-token",
      async (api) => ({ 'x-csrf-token': await csrfToken(other.browser, api) }),
    ],
    [
      'from Origin https://evil.example (with a valid token)',
      async (api) => ({
        'x-csrf-token': await csrfToken(offer.owner.browser, api),
        origin: 'https://evil.example',
      }),
    ],
    [
      'from Origin null (with a valid token)',
      async (api) => ({ 'x-csrf-token': await csrfToken(offer.owner.browser, api), origin: 'null' }),
    ],
  ];

  /** Everything a state change could touch, including spent or created sign-in transactions. */
  async function state() {
    const q = async (sql: string) => (await stack.db.query(sql)).rows;
    return {
      counts: await rowCounts(stack.db),
      transactions: await q('SELECT state_hash FROM signin_transactions ORDER BY state_hash'),
      identities: await q('SELECT id, account_id FROM identities ORDER BY id'),
      sessions: await q('SELECT id, revoked_at FROM sessions ORDER BY id'),
      offers: await q('SELECT id, used_at FROM merge_offers ORDER BY id'),
      merges: await q('SELECT id, undone_at FROM account_merges ORDER BY id'),
    };
  }

  async function refusedEverywhere(method: string, path: string, body?: unknown): Promise<void> {
    for (const [name, forge] of FORGERIES) {
      const before = await state();
      const headers = await forge(stack.apiUrl);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await offer.owner.browser.request(`${stack.apiUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(res.status, `${method} ${path} ${name}`).toBe(403);
      expect(await problemOf(res), `${method} ${path} ${name}`).toMatchObject({ code: 'API_ERR_CSRF' });
      expect(await state(), `${method} ${path} ${name}`).toEqual(before);
    }
  }

  it('refuses POST /v1/me/identities/link with API_ERR_CSRF and starts no sign-in transaction', async () => {
    await refusedEverywhere('POST', '/v1/me/identities/link', { provider: 'apple', return_to: '/account' });
    expect(offer.owner.browser.cookie(stack.apiUrl, 'lw_flow')).toBeUndefined();
  });

  it('refuses DELETE /v1/me/identities/:id with API_ERR_CSRF and unlinks nothing', async () => {
    await refusedEverywhere('DELETE', `/v1/me/identities/${offer.identityId}`);
  });

  it('refuses POST /v1/me/merges with API_ERR_CSRF and leaves the offer usable', async () => {
    await refusedEverywhere('POST', '/v1/me/merges', { offer_id: offer.offerId });
  });

  it('refuses POST /v1/me/merges/:id/undo with API_ERR_CSRF and keeps the merge', async () => {
    const mergeId = await acceptOffer(stack, offer);
    await refusedEverywhere('POST', `/v1/me/merges/${mergeId}/undo`);
  });

  it('refuses POST /v1/auth/signout with API_ERR_CSRF and keeps the session', async () => {
    await refusedEverywhere('POST', '/v1/auth/signout');
    expect((await call(offer.owner.browser, stack.apiUrl, 'GET', '/v1/me')).status).toBe(200);
  });

  it('accepts the same state change with the right token and no Origin header (control)', async () => {
    const res = await call(offer.owner.browser, stack.apiUrl, 'POST', '/v1/auth/signout');
    expect(res.status).toBe(204);
  });
});
