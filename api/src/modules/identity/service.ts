import type { SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { newId } from '../../shared/secrets.js';
import type { IdentityAssertion } from '../auth/index.js';
import { createIdentityRepository, type IdentityRow } from './repository.js';

export const MERGE_OFFER_TTL_MS = 10 * 60_000;
/** Link suggestions are capped so a common e-mail cannot fan out (they are hints, never links). */
const MAX_SUGGESTIONS = 3;

export interface SignInResult {
  accountId: string;
  identityId: string;
  created: boolean;
  /** A link suggestion was made: a trusted, verified e-mail matches another account's. */
  suggested: boolean;
}

export type LinkResult =
  | { outcome: 'linked' | 'already_linked'; identityId: string }
  | { outcome: 'in_use'; offerId: string; sourceAccountId: string };

export interface IdentityView {
  id: string;
  provider: string;
  name: string | null;
  email: string | null;
  email_verified: boolean;
  picture: string | null;
  linked_at: string;
  last_used_at: string;
}

function displayNameOf(a: IdentityAssertion): string {
  return a.claims.name ?? a.claims.email?.split('@')[0] ?? 'Linkwell user';
}

export function toIdentityView(r: IdentityRow): IdentityView {
  return {
    id: r.id,
    provider: r.provider,
    name: r.claims.name ?? null,
    email: r.claims.email ?? null,
    email_verified: r.claims.email_verified === true,
    picture: r.claims.picture ?? null,
    linked_at: new Date(r.linked_at).toISOString(),
    last_used_at: new Date(r.last_used_at).toISOString(),
  };
}

/**
 * Accounts and the identities that sign in to them. An identity is keyed by (provider, issuer, subject)
 * and belongs to exactly one account. Accounts are never found or joined by e-mail: a matching e-mail
 * only produces a suggestion that takes effect when the person also signs in to the other account.
 */
export function createIdentityService(sql: SqlClient, now: () => number) {
  const repo = createIdentityRepository(sql);
  const at = () => new Date(now());

  async function suggest(accountId: string, identityId: string, a: IdentityAssertion): Promise<boolean> {
    const email = a.claims.email;
    if (!a.emailTrusted || a.claims.email_verified !== true || email === undefined) return false;
    const others = (await repo.accountsWithVerifiedEmail(email, accountId)).slice(0, MAX_SUGGESTIONS);
    for (const other of others) await repo.insertSuggestion(newId('sug'), accountId, other, identityId, at());
    return others.length > 0;
  }

  return {
    /** The account this identity signs in to, creating both on the first sign-in (no form, no e-mail match). */
    async signIn(a: IdentityAssertion): Promise<SignInResult> {
      const existing = await repo.identityByKey(a.provider, a.issuer, a.subject);
      if (existing) {
        await repo.touchIdentity(existing.id, a, at());
        await repo.addAppIds(existing.id, a.appIds);
        return { accountId: existing.account_id, identityId: existing.id, created: false, suggested: false };
      }
      const accountId = newId('acct');
      const identityId = newId('idn');
      await repo.insertAccount(accountId, displayNameOf(a), at());
      // A concurrent first sign-in of the same identity wins the unique key; the caller's transaction
      // rolls back and the retry finds that identity (IdentityRace).
      if (!(await repo.insertIdentity(identityId, accountId, a, at()))) throw new IdentityRace();
      await repo.addAppIds(identityId, a.appIds);
      const suggested = await suggest(accountId, identityId, a);
      return { accountId, identityId, created: true, suggested };
    },

    /** Which account an identity belongs to, if any (step-up checks it is the caller's). */
    async accountOf(a: IdentityAssertion): Promise<string | undefined> {
      return (await repo.identityByKey(a.provider, a.issuer, a.subject))?.account_id;
    },

    async link(accountId: string, a: IdentityAssertion, sessionId: string): Promise<LinkResult> {
      const existing = await repo.identityByKey(a.provider, a.issuer, a.subject);
      if (existing?.account_id === accountId) {
        await repo.touchIdentity(existing.id, a, at());
        return { outcome: 'already_linked', identityId: existing.id };
      }
      if (existing) {
        // Finishing this flow proved control of the other account too: offer to merge it into this one.
        const offerId = newId('mo');
        await repo.insertMergeOffer(
          {
            id: offerId,
            target_account_id: accountId,
            source_account_id: existing.account_id,
            session_id: sessionId,
            expires_at: new Date(now() + MERGE_OFFER_TTL_MS),
          },
          at(),
        );
        return { outcome: 'in_use', offerId, sourceAccountId: existing.account_id };
      }
      const identityId = newId('idn');
      if (!(await repo.insertIdentity(identityId, accountId, a, at()))) throw new IdentityRace();
      await repo.addAppIds(identityId, a.appIds);
      return { outcome: 'linked', identityId };
    },

    /** An account no identity signs in to yet: a household's dependent (docs/households.md). */
    async createAccount(displayName: string): Promise<string> {
      const accountId = newId('acct');
      await repo.insertAccount(accountId, displayName, at());
      return accountId;
    },

    async setDisplayName(accountId: string, displayName: string): Promise<void> {
      await repo.setDisplayName(accountId, displayName);
    },

    async account(accountId: string) {
      return repo.account(accountId);
    },

    async identities(accountId: string): Promise<IdentityView[]> {
      return (await repo.identitiesOf(accountId)).map(toIdentityView);
    },

    /** Removes one of the caller's identities, refusing the last one (the account could not sign in). */
    async unlink(accountId: string, identityId: string): Promise<IdentityView> {
      const all = await repo.identitiesOf(accountId);
      const target = all.find((i) => i.id === identityId);
      if (!target)
        throw new ApiError('API_ERR_IDENTITY_NOT_FOUND', `No identity ${identityId} on this account.`);
      if (all.length === 1) {
        throw new ApiError('API_ERR_LAST_IDENTITY', 'The last identity of an account cannot be unlinked.');
      }
      await repo.deleteIdentity(identityId);
      return toIdentityView(target);
    },

    async suggestions(accountId: string) {
      return (await repo.openSuggestions(accountId)).map((s) => ({
        id: s.id,
        created_at: new Date(s.created_at).toISOString(),
      }));
    },

    async accountTags(accountId: string): Promise<readonly string[]> {
      return repo.accountTags(accountId);
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;

/** Lost a race for an identity's unique key; the whole transaction is retried once. */
export class IdentityRace extends Error {
  override readonly name = 'IdentityRace';
}
