import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, problemOf, rowCounts, type SignedIn, signedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack, personId, startIdentityStack } from '../../src/identity/index.js';
import { acceptOffer, type MergeOffer, mergeOfferFor } from '../../src/identity/merge-offer.js';

describe("another account's identities, merge offers, merges and audit (IDOR)", () => {
  let stack: IdentityStack;
  let victim: MergeOffer;
  let intruder: SignedIn;

  beforeAll(async () => {
    stack = await startIdentityStack();
    victim = await mergeOfferFor(stack);
    intruder = await signedIn(stack, 'apple', personId('apple', 'Sam Taylor'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  const as = (method: string, path: string, body?: unknown) =>
    call(intruder.browser, stack.apiUrl, method, path, body);

  it("lists only the intruder's own identity", async () => {
    const { identities } = await getJson<{ identities: { id: string; provider: string }[] }>(
      intruder.browser,
      stack.apiUrl,
      '/v1/me/identities',
    );
    expect(identities.map((i) => i.provider)).toEqual(['apple']);
    expect(identities.map((i) => i.id)).not.toContain(victim.identityId);
  });

  it("refuses to unlink the victim's identity with 404 API_ERR_IDENTITY_NOT_FOUND", async () => {
    const before = await rowCounts(stack.db);
    const res = await as('DELETE', `/v1/me/identities/${victim.identityId}`);
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_IDENTITY_NOT_FOUND' });
    expect(await rowCounts(stack.db)).toEqual(before);
    const { rows } = await stack.db.query('SELECT account_id FROM identities WHERE id = $1', [
      victim.identityId,
    ]);
    expect(rows).toEqual([{ account_id: victim.owner.accountId }]);
  });

  it("refuses the victim's merge offer with 404 API_ERR_MERGE_OFFER_INVALID and leaves it to the victim", async () => {
    const before = await rowCounts(stack.db);
    const res = await as('POST', '/v1/me/merges', { offer_id: victim.offerId });
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_MERGE_OFFER_INVALID' });
    expect(await rowCounts(stack.db)).toEqual(before);
    // Not spent by the attempt: the victim can still use it.
    expect(await acceptOffer(stack, victim)).toMatch(/^mrg_/);
  });

  it("refuses to undo the victim's merge with 404 API_ERR_MERGE_NOT_FOUND and keeps it in effect", async () => {
    const { rows } = await stack.db.query<{ id: string }>('SELECT id FROM account_merges');
    expect(rows).toHaveLength(1);
    const mergeId = rows[0]!.id;
    const res = await as('POST', `/v1/me/merges/${mergeId}/undo`);
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ code: 'API_ERR_MERGE_NOT_FOUND' });
    const merge = await stack.db.query(
      'SELECT undone_at, source_account_id FROM account_merges WHERE id = $1',
      [mergeId],
    );
    expect(merge.rows).toEqual([{ undone_at: null, source_account_id: victim.sourceAccountId }]);
  });

  it("shows the intruder no merges, suggestions or audit entries of the victim's accounts", async () => {
    expect(await getJson(intruder.browser, stack.apiUrl, '/v1/me/merges')).toEqual({ merges: [] });
    expect(await getJson(intruder.browser, stack.apiUrl, '/v1/me/link-suggestions')).toEqual({
      suggestions: [],
    });
    const audit = await getJson<{ entries: { action: string }[] }>(
      intruder.browser,
      stack.apiUrl,
      '/v1/me/audit',
    );
    expect(audit.entries.map((e) => e.action)).toEqual(['sign_in', 'account_created']);
    const text = JSON.stringify(audit);
    for (const id of [victim.owner.accountId, victim.sourceAccountId, victim.identityId])
      expect(text).not.toContain(id);
    // The victim's own audit does show the merge (the list is per account, not empty by accident).
    const own = await getJson<{ entries: { action: string }[] }>(
      victim.owner.browser,
      stack.apiUrl,
      '/v1/me/audit',
    );
    expect(own.entries.map((e) => e.action)).toContain('merge');
  });
});
