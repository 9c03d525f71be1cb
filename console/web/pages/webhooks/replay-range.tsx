import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { ReplayResult } from '../../api/webhook-types.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { useActions } from '../account/actions.js';
import { inputValue, isoFromLocal } from './paths.js';

/** POST …/replays {from, to}: every event of the range the app may still receive, under its own webhook-id. */
export function ReplayRange({ path, csrf }: { path: string; csrf: string | undefined }) {
  const { t } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const state = useActions(csrf, () => undefined);
  const submit = (event: Event) => {
    event.preventDefault();
    void state.actions.run(async () => {
      // An unparsable value goes as the raw text, so the API's coded refusal says what is wrong.
      const body = { from: isoFromLocal(from) ?? from, to: isoFromLocal(to) ?? to };
      const { queued } = await send<ReplayResult>('POST', `${path}/replays`, csrf, body);
      return t('webhooks.replayed', { count: queued });
    });
  };
  return (
    <section aria-labelledby="webhook-replay-title">
      <h3 id="webhook-replay-title">{t('webhooks.replayRangeTitle')}</h3>
      <p class="small">{t('webhooks.replayRangeIntro')}</p>
      <form class="form" onSubmit={submit}>
        <label for="webhook-replay-from">{t('webhooks.from')}</label>
        <input
          id="webhook-replay-from"
          type="datetime-local"
          required
          value={from}
          onInput={(e) => setFrom(inputValue(e))}
        />
        <label for="webhook-replay-to">{t('webhooks.to')}</label>
        <input
          id="webhook-replay-to"
          type="datetime-local"
          required
          value={to}
          onInput={(e) => setTo(inputValue(e))}
        />
        <Alert view={state.alert} />
        <Status message={state.status} />
        <button type="submit" class="secondary" disabled={state.actions.busy}>
          {t('webhooks.replayRange')}
        </button>
      </form>
    </section>
  );
}
