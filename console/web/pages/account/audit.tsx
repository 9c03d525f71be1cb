import type { AuditEntry } from '../../api/types.js';
import type { I18n } from '../../i18n/context.js';
import { useI18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';
import type { Resource } from '../../use-resource.js';
import { Loaded } from './loaded.js';

function actionLabel({ t }: Pick<I18n, 't'>, action: string): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? t(key) : t('audit.action.other', { action });
}

export function AuditSection({ audit }: { audit: Resource<{ entries: AuditEntry[] }> }) {
  const i18n = useI18n();
  const { t, date } = i18n;
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <Loaded resource={audit}>
        {(data) =>
          data.entries.length === 0 ? (
            <p>{t('audit.empty')}</p>
          ) : (
            <ol class="audit">
              {data.entries.map((entry) => (
                <li key={entry.id}>
                  <span class="title">{actionLabel(i18n, entry.action)}</span>{' '}
                  <time dateTime={entry.at}>{date(entry.at)}</time>
                  <small class="muted">
                    {t('audit.from', { ip: entry.ip })} · {entry.user_agent}
                  </small>
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
    </section>
  );
}
