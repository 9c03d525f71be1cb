import { useEffect, useState } from 'preact/hooks';
import { getJson, send } from '../../api/client.js';
import type { Backfill } from '../../api/webhook-types.js';
import { Alert, describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { useActions } from '../account/actions.js';
import { inputValue, isoFromLocal } from './paths.js';

const POLL_MS = 1000;

/** The share delivered, 0–100; while nothing is queued yet there is nothing to show as done. */
export function backfillPercent(b: Pick<Backfill, 'queued' | 'delivered'>): number {
  if (b.queued === 0) return 0;
  return Math.min(100, Math.round((100 * b.delivered) / b.queued));
}

/** Polls GET …/backfills/{id} until it is completed (or the section goes away). */
function useBackfill(
  path: string,
  started: Backfill | undefined,
): [Backfill | undefined, ProblemView | undefined] {
  const i18n = useI18n();
  const [current, setCurrent] = useState(started);
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  useEffect(() => {
    setCurrent(started);
    if (started === undefined || started.state === 'completed') return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const b = await getJson<Backfill>(`${path}/backfills/${encodeURIComponent(started.id)}`);
        if (!alive) return;
        setCurrent(b);
        if (b.state !== 'completed') timer = setTimeout(() => void poll(), POLL_MS);
      } catch (error) {
        if (alive) setProblem(describeProblem(i18n, error));
      }
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [path, started, i18n]);
  return [current, problem];
}

/** POST …/backfills {from, to, rate}: a time range again, through the same queue, at `rate` events a second. */
export function BackfillForm({ path, csrf }: { path: string; csrf: string | undefined }) {
  const { t } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rate, setRate] = useState('10');
  const [started, setStarted] = useState<Backfill | undefined>(undefined);
  const state = useActions(csrf, () => undefined);
  const [progress, pollProblem] = useBackfill(path, started);
  const submit = (event: Event) => {
    event.preventDefault();
    void state.actions.run(async () => {
      const body = { from: isoFromLocal(from) ?? from, to: isoFromLocal(to) ?? to, rate: Number(rate) };
      setStarted(await send<Backfill>('POST', `${path}/backfills`, csrf, body));
      return undefined;
    });
  };
  const percent = progress === undefined ? 0 : backfillPercent(progress);
  return (
    <section aria-labelledby="webhook-backfill-title">
      <h3 id="webhook-backfill-title">{t('webhooks.backfillTitle')}</h3>
      <p class="small">{t('webhooks.backfillIntro')}</p>
      <form class="form" onSubmit={submit}>
        <label for="webhook-backfill-from">{t('webhooks.from')}</label>
        <input
          id="webhook-backfill-from"
          type="datetime-local"
          required
          value={from}
          onInput={(e) => setFrom(inputValue(e))}
        />
        <label for="webhook-backfill-to">{t('webhooks.to')}</label>
        <input
          id="webhook-backfill-to"
          type="datetime-local"
          required
          value={to}
          onInput={(e) => setTo(inputValue(e))}
        />
        <label for="webhook-backfill-rate">{t('webhooks.rate')}</label>
        <input
          id="webhook-backfill-rate"
          type="number"
          min="0.1"
          max="1000"
          step="any"
          required
          value={rate}
          onInput={(e) => setRate(inputValue(e))}
        />
        <Alert view={state.alert ?? pollProblem} />
        <button type="submit" class="secondary" disabled={state.actions.busy}>
          {t('webhooks.startBackfill')}
        </button>
      </form>
      {progress !== undefined && (
        <>
          <progress
            id="webhook-backfill-progress"
            max={100}
            value={percent}
            aria-label={t('webhooks.backfillProgress')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          />
          <p role="status" data-testid="webhook-backfill-state">
            {t(`webhooks.backfill.${progress.state}`, {
              queued: progress.queued,
              delivered: progress.delivered,
            })}
          </p>
        </>
      )}
    </section>
  );
}
