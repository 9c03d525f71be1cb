import { useI18n } from '../i18n/context.js';

/** Stands where data will be; the class lets tests (and styles) tell a page that is still loading. */
export function Loading() {
  const { t } = useI18n();
  return <p class="muted loading">{t('common.loading')}</p>;
}
