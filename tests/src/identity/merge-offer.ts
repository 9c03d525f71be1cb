import { type SignedIn, signedIn } from './attack-kit.js';
import { call, startFlowAt } from './sign-in.js';
import { type IdentityStack, personId } from './stack.js';

/** Li Wei's WeChat account with a merge offer for his separate Google-like account. */
export interface MergeOffer {
  owner: SignedIn;
  /** The owner's own (WeChat) identity. */
  identityId: string;
  /** The Google-like account that the offer would merge into the owner's. */
  sourceAccountId: string;
  offerId: string;
}

/**
 * Li Wei signs in with WeChat (account A) and, in another browser, with Google (account B); then, in A,
 * he links the Google identity, which belongs to B: the callback answers API_ERR_IDENTITY_IN_USE with a
 * merge offer for A.
 */
export async function mergeOfferFor(stack: IdentityStack): Promise<MergeOffer> {
  const owner = await signedIn(stack, 'wechat', personId('wechat', '李伟'));
  const source = await signedIn(stack, 'google', personId('google', 'Li Wei'));
  const callback = await startFlowAt(
    owner.browser,
    stack.apiUrl,
    '/v1/me/identities/link',
    'google',
    personId('google', 'Li Wei'),
  );
  const res = await owner.browser.get(callback);
  const location = new URL(res.headers.get('location') ?? '', stack.apiUrl);
  const offerId = location.searchParams.get('merge_offer');
  if (res.status !== 303 || location.searchParams.get('error') !== 'API_ERR_IDENTITY_IN_USE' || !offerId)
    throw new Error(`linking an identity in use answered ${res.status} → ${location.href}`);
  const { identities } = (await (
    await call(owner.browser, stack.apiUrl, 'GET', '/v1/me/identities')
  ).json()) as {
    identities: { id: string }[];
  };
  return { owner, identityId: identities[0]!.id, sourceAccountId: source.accountId, offerId };
}

/** POST /v1/me/merges as the owner, the right way: the merge id. */
export async function acceptOffer(stack: IdentityStack, offer: MergeOffer): Promise<string> {
  const res = await call(offer.owner.browser, stack.apiUrl, 'POST', '/v1/me/merges', {
    offer_id: offer.offerId,
  });
  if (res.status !== 201) throw new Error(`merge answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
