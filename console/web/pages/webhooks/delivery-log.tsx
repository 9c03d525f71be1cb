import { useCallback, useEffect, useState } from 'preact/hooks';
import { getJson, send } from '../../api/client.js';
import type { AttemptPage, DeliveryAttempt, ReplayResult } from '../../api/webhook-types.js';
import { Alert, describeProblem, type ProblemView, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { useActions } from '../account/actions.js';

type Filter = 'all' | 'succeeded' | 'failed';
const FILTERS: readonly Filter[] = ['all', 'succeeded', 'failed'];
const PAGE = 20;

function result(t: ReturnType<typeof useI18n>['t'], a: DeliveryAttempt): string {
  if (a.http_status === null) return t('webhooks.result.error', { code: a.error_code ?? '—' });
  return t(a.succeeded ? 'webhooks.result.ok' : 'webhooks.result.http', { status: a.http_status });
}

/**
 * GET …/{id}/attempts, newest first, PAGE at a time ("older" follows `next_before`), filtered by outcome;
 * each row can send its message again (POST …/replays by event id, under the same webhook-id).
 */
export function DeliveryLog({ path, csrf }: { path: string; csrf: string | undefined }) {
  const i18n = useI18n();
  const { t, date } = i18n;
  const [filter, setFilter] = useState<Filter>('all');
  const [rows, setRows] = useState<DeliveryAttempt[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((n) => n + 1), []);
  const replay = useActions(csrf, () => undefined);

  const load = useCallback(
    async (before: string | null): Promise<AttemptPage> => {
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (filter !== 'all') query.set('status', filter);
      if (before !== null) query.set('before', before);
      return getJson<AttemptPage>(`${path}/attempts?${query}`);
    },
    [path, filter],
  );
  useEffect(() => {
    let current = true;
    setProblem(undefined);
    load(null).then(
      (page) => {
        if (!current) return;
        setRows(page.attempts);
        setNext(page.next_before);
      },
      (error: unknown) => current && setProblem(describeProblem(i18n, error)),
    );
    return () => {
      current = false;
    };
    // generation is the refresh trigger.
  }, [load, generation, i18n]);
  const older = async () => {
    if (next === null) return;
    try {
      const page = await load(next);
      setRows([...(rows ?? []), ...page.attempts]);
      setNext(page.next_before);
    } catch (error) {
      setProblem(describeProblem(i18n, error));
    }
  };
  const again = (eventId: string) =>
    void replay.actions.run(async () => {
      const { queued } = await send<ReplayResult>('POST', `${path}/replays`, csrf, { event_ids: [eventId] });
      return t('webhooks.replayed', { count: queued });
    });

  return (
    <section aria-labelledby="webhook-log-title">
      <h3 id="webhook-log-title">{t('webhooks.showLog')}</h3>
      <div class="inline-form">
        <label for="webhook-log-filter">{t('webhooks.filter')}</label>
        <select
          id="webhook-log-filter"
          value={filter}
          onChange={(event) => setFilter((event.currentTarget as HTMLSelectElement).value as Filter)}
        >
          {FILTERS.map((f) => (
            <option key={f} value={f}>
              {t(`webhooks.filter.${f}`)}
            </option>
          ))}
        </select>
        <button type="button" class="secondary" onClick={refresh}>
          {t('webhooks.refresh')}
        </button>
      </div>
      <Alert view={problem ?? replay.alert} />
      <Status message={replay.status} />
      {rows !== undefined && rows.length === 0 && <p>{t('webhooks.noAttempts')}</p>}
      {rows !== undefined && rows.length > 0 && (
        <div class="table-scroll">
          <table class="trend-table webhook-attempts">
            <caption>{t('webhooks.attemptsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('webhooks.col.time')}</th>
                <th scope="col">{t('webhooks.col.event')}</th>
                <th scope="col">{t('webhooks.col.id')}</th>
                <th scope="col">{t('webhooks.col.result')}</th>
                <th scope="col">{t('webhooks.col.latency')}</th>
                <th scope="col">{t('webhooks.col.response')}</th>
                <th scope="col">{t('webhooks.col.replay')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id} class={a.succeeded ? 'succeeded' : 'failed'}>
                  <td>{date(a.attempted_at)}</td>
                  <td>
                    <code>{a.event_type}</code>
                  </td>
                  <td>
                    <code>{a.event_id}</code>
                  </td>
                  <td>{result(t, a)}</td>
                  <td>{t('webhooks.latency', { ms: a.latency_ms })}</td>
                  <td>
                    <code class="small">{a.response_snippet.slice(0, 120)}</code>
                  </td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      disabled={replay.actions.busy}
                      aria-label={t('webhooks.replayLabel', { id: a.event_id })}
                      onClick={() => again(a.event_id)}
                    >
                      {t('webhooks.replay')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next !== null && (
        <button type="button" class="secondary" onClick={() => void older()}>
          {t('webhooks.older')}
        </button>
      )}
    </section>
  );
}
