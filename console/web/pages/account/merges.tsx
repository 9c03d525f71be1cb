import { send } from '../../api/client.js';
import type { Merge } from '../../api/types.js';
import { useI18n } from '../../i18n/context.js';
import type { Resource } from '../../use-resource.js';
import type { Actions } from './actions.js';

function MergeItem({ merge, actions }: { merge: Merge; actions: Actions }) {
  const { t, date } = useI18n();
  const undo = () =>
    actions.run(async () => {
      await send('POST', `/v1/me/merges/${encodeURIComponent(merge.id)}/undo`, actions.csrf);
      return t('merges.undoneNow');
    });
  const undoneAt = typeof merge.undone_at === 'string' ? merge.undone_at : undefined;
  const undoable = undoneAt === undefined && Date.parse(merge.undo_until) > Date.now();
  return (
    <li class="card">
      <div>
        <p class="title">{t('merges.item', { id: merge.source_account_id, date: date(merge.merged_at) })}</p>
        <p class="muted">
          {undoneAt !== undefined
            ? t('merges.undone', { date: date(undoneAt) })
            : undoable
              ? t('merges.undoUntil', { date: date(merge.undo_until) })
              : t('merges.undoExpired')}
        </p>
      </div>
      {undoable && (
        <button
          type="button"
          class="secondary"
          disabled={actions.busy}
          aria-label={t('merges.undoLabel', { id: merge.source_account_id })}
          onClick={undo}
        >
          {t('merges.undo')}
        </button>
      )}
    </li>
  );
}

/** Shown once the account has merged another one. */
export function MergesSection({
  merges,
  actions,
}: {
  merges: Resource<{ merges: Merge[] }>;
  actions: Actions;
}) {
  const { t } = useI18n();
  if (merges.status !== 'ok' || merges.data.merges.length === 0) return null;
  return (
    <section aria-labelledby="merges-title">
      <h2 id="merges-title">{t('merges.title')}</h2>
      <ul class="cards">
        {merges.data.merges.map((merge) => (
          <MergeItem key={merge.id} merge={merge} actions={actions} />
        ))}
      </ul>
    </section>
  );
}
