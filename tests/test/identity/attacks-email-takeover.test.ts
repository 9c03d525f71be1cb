import { type SimOidcIssuer, startSimOidcIssuer } from '@linkwell/identity-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  getJson,
  oidcEntry,
  problemOf,
  rowCounts,
  type SignedIn,
  signedIn,
} from '../../src/identity/attack-kit.js';
import { call, type IdentityStack, personId, startIdentityStack } from '../../src/identity/index.js';

// The attacker's own issuer asserts the victim's address as verified.
const MALLORY = { id: 'mallory-7', name: 'Mallory', email: 'li.wei@example.com', email_verified: true };

interface IdentityList {
  identities: { id: string; provider: string; email: string | null }[];
}
interface AuditList {
  entries: { action: string; details: Record<string, unknown> }[];
}

describe("an attacker's issuer asserting the victim's verified e-mail (auto-link takeover)", () => {
  let stack: IdentityStack;
  let rogue: SimOidcIssuer;
  let victim: SignedIn;
  let victimIdentities: IdentityList;

  beforeAll(async () => {
    stack = await startIdentityStack({
      extraProviders: async (apiUrl) => {
        const trusted = clientFor(apiUrl, 'rogue-trusted');
        const untrusted = clientFor(apiUrl, 'rogue-untrusted');
        rogue = await startSimOidcIssuer({
          displayName: 'Rogue',
          people: [MALLORY],
          clients: [trusted, untrusted],
        });
        return [
          oidcEntry('rogue-trusted', rogue.issuer, trusted, { trustEmail: true }),
          oidcEntry('rogue-untrusted', rogue.issuer, untrusted, { trustEmail: false }),
        ];
      },
    });
    victim = await signedIn(stack, 'google', personId('google', 'Li Wei'));
    victimIdentities = await getJson(victim.browser, stack.apiUrl, '/v1/me/identities');
    expect(victimIdentities.identities.map((i) => [i.provider, i.email])).toEqual([
      ['google', 'li.wei@example.com'],
    ]);
  });
  afterAll(async () => {
    await stack?.close();
    await rogue?.close();
  });

  async function attackerSignsIn(provider: string, expectSuggestion: boolean): Promise<SignedIn> {
    const before = await rowCounts(stack.db);
    const attacker = await signedIn(stack, provider, MALLORY.id);
    expect(attacker.accountId).not.toBe(victim.accountId);
    expect(await rowCounts(stack.db)).toMatchObject({
      accounts: before.accounts + 1,
      identities: before.identities + 1,
      link_suggestions: before.link_suggestions + (expectSuggestion ? 1 : 0),
      merge_offers: before.merge_offers,
      account_merges: before.account_merges,
    });
    return attacker;
  }

  async function attackerSeesOnlyOwnData(attacker: SignedIn, provider: string): Promise<void> {
    const mine = await getJson<IdentityList>(attacker.browser, stack.apiUrl, '/v1/me/identities');
    expect(mine.identities.map((i) => i.provider)).toEqual([provider]);
    const audit = await getJson<AuditList>(attacker.browser, stack.apiUrl, '/v1/me/audit');
    expect(audit.entries.map((e) => e.action)).toEqual(['sign_in', 'account_created']);
    expect(JSON.stringify(audit)).not.toContain(victim.accountId);
    // The victim's side is untouched: same identities, not merged.
    expect(await getJson(victim.browser, stack.apiUrl, '/v1/me/identities')).toEqual(victimIdentities);
    const { rows } = await stack.db.query<{ merged_into: string | null }>(
      'SELECT merged_into FROM accounts WHERE id = $1',
      [victim.accountId],
    );
    expect(rows).toEqual([{ merged_into: null }]);
  }

  async function mergeIsRefused(attacker: SignedIn, offerIds: string[]): Promise<void> {
    for (const offer_id of offerIds) {
      const res = await call(attacker.browser, stack.apiUrl, 'POST', '/v1/me/merges', { offer_id });
      expect(res.status).toBe(404);
      expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_MERGE_OFFER_INVALID' });
    }
    expect(await getJson(attacker.browser, stack.apiUrl, '/v1/me/merges')).toEqual({ merges: [] });
  }

  it("creates a new account for a trusted provider's verified e-mail, with only an opaque link suggestion", async () => {
    const attacker = await attackerSignsIn('rogue-trusted', true);
    await attackerSeesOnlyOwnData(attacker, 'rogue-trusted');
    const { suggestions } = await getJson<{ suggestions: Record<string, unknown>[] }>(
      attacker.browser,
      stack.apiUrl,
      '/v1/me/link-suggestions',
    );
    expect(suggestions).toHaveLength(1);
    expect(Object.keys(suggestions[0]!).sort()).toEqual(['created_at', 'id']);
    expect(JSON.stringify(suggestions)).not.toMatch(new RegExp(`${victim.accountId}|li\\.wei|Li Wei`));
    // A suggestion is no merge offer; nor is any made-up or guessed id.
    await mergeIsRefused(attacker, [String(suggestions[0]!.id), 'mo_guessed', victim.accountId]);
  });

  it('creates a new account for an untrusted provider and makes no link suggestion at all', async () => {
    const attacker = await attackerSignsIn('rogue-untrusted', false);
    await attackerSeesOnlyOwnData(attacker, 'rogue-untrusted');
    expect(await getJson(attacker.browser, stack.apiUrl, '/v1/me/link-suggestions')).toEqual({
      suggestions: [],
    });
    await mergeIsRefused(attacker, ['mo_guessed']);
  });

  it("leaves the victim's own view without suggestions or merges", async () => {
    expect(await getJson(victim.browser, stack.apiUrl, '/v1/me/link-suggestions')).toEqual({
      suggestions: [],
    });
    expect(await getJson(victim.browser, stack.apiUrl, '/v1/me/merges')).toEqual({ merges: [] });
    const audit = await getJson<AuditList>(victim.browser, stack.apiUrl, '/v1/me/audit');
    expect(audit.entries.map((e) => e.action)).toEqual(['sign_in', 'account_created']);
  });
});
