import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Candidate, Household, InboxItem } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';
import { Link } from '../../router.js';
import type { Actions } from '../account/actions.js';
import { memberName } from '../household-scope.js';
import { formatValues, isoTime, metricLabel } from './reading-format.js';

function ConfidenceBar({ household, candidate }: { household: Household; candidate: Candidate }) {
  const { t } = useI18n();
  const name = candidate.display_name ?? memberName(household, candidate.account_id);
  const percent = Math.round(candidate.confidence * 100);
  return (
    <li class="candidate">
      <span>{t('inbox.candidate', { name, percent })}</span>
      <meter min={0} max={1} value={candidate.confidence} aria-label={t('inbox.confidenceOf', { name })}>
        {percent}%
      </meter>
    </li>
  );
}

/** One held reading: what, when, why it waits, who it may be, and File / Discard. */
export function InboxItemCard({
  household,
  item,
  actions,
}: {
  household: Household;
  item: InboxItem;
  actions: Actions;
}) {
  const i18n = useI18n();
  const { t, date, locale } = i18n;
  const best = item.hint[0]?.account_id ?? '';
  const [target, setTarget] = useState(best);
  const base = `/v1/households/${encodeURIComponent(household.id)}/inbox/${encodeURIComponent(item.id)}`;
  const what = `${metricLabel(i18n, item.metric)} ${formatValues(item.metric, item.values, locale)}`;
  const when = date(isoTime(item.measured_at));
  const reasonKey = `inbox.reason.${item.reason}`;
  const file = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      await send('POST', `${base}/file`, actions.csrf, { account_id: target });
      return t('inbox.filed', { what, name: memberName(household, target) });
    });
  };
  const discard = () =>
    actions.run(async () => {
      await send('POST', `${base}/discard`, actions.csrf);
      return t('inbox.discarded', { what });
    });
  const selectId = `file-to-${item.id}`;
  // The API files only readings of claimed devices (API_ERR_INBOX_DEVICE_UNCLAIMED): claim it first.
  const unclaimed = item.reason === 'unknown_device';
  return (
    <li class="card inbox-item" aria-labelledby={`inbox-title-${item.id}`}>
      <div>
        <h3 class="title" id={`inbox-title-${item.id}`}>
          {what}
        </h3>
        <p>
          <time dateTime={isoTime(item.measured_at)}>{when}</time>
        </p>
        <p class="muted">{isMessageKey(reasonKey) ? t(reasonKey) : item.reason}</p>
        {item.hint.length > 0 && (
          <ul class="plain candidates" aria-label={t('inbox.candidates')}>
            {item.hint.map((candidate) => (
              <ConfidenceBar key={candidate.account_id} household={household} candidate={candidate} />
            ))}
          </ul>
        )}
        {unclaimed ? (
          <div class="inline-form">
            <p class="muted small">
              {t('inbox.claimFirst')}{' '}
              <Link href={`/devices?household=${encodeURIComponent(household.id)}`}>{t('nav.devices')}</Link>
            </p>
            <button
              type="button"
              class="secondary"
              disabled={actions.busy}
              aria-label={t('inbox.discardLabel', { what, when })}
              onClick={() => void discard()}
            >
              {t('inbox.discard')}
            </button>
          </div>
        ) : (
          <form class="inline-form" onSubmit={file}>
            <label for={selectId}>{t('inbox.fileTo')}</label>
            <select
              id={selectId}
              value={target}
              onChange={(e) => setTarget((e.currentTarget as HTMLSelectElement).value)}
            >
              {best === '' && <option value="">{t('inbox.choose')}</option>}
              {household.members.map((m) => (
                <option key={m.account_id} value={m.account_id}>
                  {m.display_name}
                </option>
              ))}
            </select>
            <button
              type="submit"
              disabled={actions.busy || target === ''}
              aria-label={t('inbox.fileLabel', { what, when })}
            >
              {t('inbox.file')}
            </button>
            <button
              type="button"
              class="secondary"
              disabled={actions.busy}
              aria-label={t('inbox.discardLabel', { what, when })}
              onClick={() => void discard()}
            >
              {t('inbox.discard')}
            </button>
          </form>
        )}
      </div>
    </li>
  );
}
