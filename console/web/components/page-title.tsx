import { useEffect } from 'preact/hooks';
import { useI18n } from '../i18n/context.js';

/**
 * The page's h1 and the window title. The h1 takes focus when the router swaps pages (see app.tsx), so
 * a screen reader hears where it landed; tabIndex -1 makes it focusable without adding a tab stop.
 */
export function PageTitle({ children }: { children: string }) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${children} – ${t('app.name')}`;
  }, [children, t]);
  return (
    <h1 id="page-title" tabIndex={-1}>
      {children}
    </h1>
  );
}
