import type { EndpointHealth } from '../../api/webhook-types.js';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import { Loaded } from '../account/loaded.js';

/** GET …/{id}/health: the figures a developer checks first when deliveries stop (docs/webhooks.md). */
export function HealthSummary({ path }: { path: string }) {
  const { t, date } = useI18n();
  const [health] = useResource<EndpointHealth>(`${path}/health`);
  return (
    <Loaded resource={health}>
      {(h) => (
        <>
          <dl class="facts" data-testid="webhook-health">
            <dt>{t('webhooks.lastSuccess')}</dt>
            <dd>{h.last_success_at === null ? t('webhooks.never') : date(h.last_success_at)}</dd>
            <dt>{t('webhooks.failures')}</dt>
            <dd>{h.consecutive_failures}</dd>
            <dt>{t('webhooks.backlog')}</dt>
            <dd>{h.backlog}</dd>
          </dl>
          {h.notices.length > 0 && (
            <ul class="plain small" aria-label={t('webhooks.notices')}>
              {h.notices.map((notice) => (
                <li key={`${notice.created_at}-${notice.kind}`}>
                  {date(notice.created_at)}: {notice.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Loaded>
  );
}
