import { send } from '../../api/client.js';
import type { MergeCreated } from '../../api/types.js';
import { useI18n } from '../../i18n/context.js';
import { clearQuery } from '../../router.js';
import type { Actions } from './actions.js';

/**
 * After "Link another identity" signed in to an identity that another account owns, the API comes back
 * with ?error=API_ERR_IDENTITY_IN_USE&merge_offer=<id>: the person may merge that account into this one.
 */
export function MergeOffer({ offerId, actions }: { offerId: string; actions: Actions }) {
  const { t, date } = useI18n();
  const confirm = () =>
    actions.run(async () => {
      const merge = await send<MergeCreated>('POST', '/v1/me/merges', actions.csrf, { offer_id: offerId });
      clearQuery('error', 'merge_offer');
      return t('merge.done', { date: date(merge.undo_until) });
    });
  return (
    <section class="offer" aria-labelledby="merge-offer-title">
      <h2 id="merge-offer-title">{t('merge.offerTitle')}</h2>
      <p>{t('merge.offerBody')}</p>
      <div class="buttons">
        <button type="button" disabled={actions.busy} onClick={confirm}>
          {t('merge.confirm')}
        </button>
        <button type="button" class="secondary" onClick={() => clearQuery('error', 'merge_offer')}>
          {t('merge.dismiss')}
        </button>
      </div>
    </section>
  );
}
