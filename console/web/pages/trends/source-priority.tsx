import { useEffect, useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { useActions } from '../account/actions.js';
import type { SourcesBody } from './trends-api.js';

function moved(list: readonly string[], index: number, by: -1 | 1): string[] {
  const next = [...list];
  const other = index + by;
  if (other < 0 || other >= next.length) return next;
  [next[index], next[other]] = [next[other]!, next[index]!];
  return next;
}

/**
 * The person's order of sources for this metric: the first with data in a window wins it, the others are
 * set aside (docs/trends.md "Reconciliation"). Reordered with buttons, so it works from a keyboard.
 */
export function SourcePriority({
  sources,
  url,
  csrf,
  reload,
  sourceName,
}: {
  sources: SourcesBody;
  url: string;
  csrf: string | undefined;
  reload: () => void;
  sourceName: (id: string) => string;
}) {
  const { t } = useI18n();
  const state = useActions(csrf, reload);
  const [order, setOrder] = useState(sources.priority);
  useEffect(() => setOrder(sources.priority), [sources]);
  if (order.length < 2) return null;
  const save = (event: Event) => {
    event.preventDefault();
    void state.actions.run(async () => {
      await send('PUT', url, csrf, { priority: order });
      return t('trends.sources.saved');
    });
  };
  return (
    <section aria-labelledby="sources-title">
      <h3 id="sources-title">{t('trends.sources.title')}</h3>
      <p class="muted small">{t('trends.sources.intro')}</p>
      <Alert view={state.alert} />
      <Status message={state.status} />
      <form onSubmit={save}>
        <ol class="source-order">
          {order.map((id, i) => {
            const name = sourceName(id);
            return (
              <li key={id} data-source={id}>
                <span>{name}</span>
                <button
                  type="button"
                  class="secondary"
                  disabled={i === 0}
                  aria-label={t('trends.sources.upLabel', { name })}
                  onClick={() => setOrder(moved(order, i, -1))}
                >
                  {t('trends.sources.up')}
                </button>
                <button
                  type="button"
                  class="secondary"
                  disabled={i === order.length - 1}
                  aria-label={t('trends.sources.downLabel', { name })}
                  onClick={() => setOrder(moved(order, i, 1))}
                >
                  {t('trends.sources.down')}
                </button>
              </li>
            );
          })}
        </ol>
        <button type="submit" disabled={state.actions.busy}>
          {t('trends.sources.save')}
        </button>
      </form>
    </section>
  );
}
