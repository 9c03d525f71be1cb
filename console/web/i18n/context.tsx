import { type ComponentChildren, createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import {
  detectLocale,
  formatDateTime,
  formatList,
  isLocale,
  type Locale,
  type MessageKey,
  translate,
  type Vars,
} from './index.js';

export interface I18n {
  readonly locale: Locale;
  t(key: MessageKey, vars?: Vars): string;
  date(iso: string): string;
  list(items: readonly string[]): string;
  setLocale(locale: Locale): void;
}

// The switcher's choice outlives reloads and the round trip through an identity provider.
const STORAGE_KEY = 'linkwell.locale';

function storedLocale(): Locale | undefined {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : undefined;
  } catch {
    return undefined; // storage disabled: fall back to the browser's languages
  }
}

export function initialLocale(): Locale {
  return storedLocale() ?? detectLocale(navigator.languages ?? [navigator.language]);
}

function remember(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered; the page still switches.
  }
}

const I18nContext = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [locale, setLocaleState] = useState(initialLocale);
  useEffect(() => {
    // Screen readers, fonts and line breaking follow <html lang>.
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo<I18n>(
    () => ({
      locale,
      t: (key, vars) => translate(locale, key, vars),
      date: (iso) => formatDateTime(locale, iso),
      list: (items) => formatList(locale, items),
      setLocale: (next) => {
        remember(next);
        setLocaleState(next);
      },
    }),
    [locale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (i18n === undefined) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
