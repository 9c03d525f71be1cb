import { useI18n } from '../i18n/context.js';
import { isLocale, LOCALES } from '../i18n/index.js';

/** Each language is named in itself, so a person who cannot read the current one still finds theirs. */
export function LanguageSwitcher() {
  const { t, locale, setLocale } = useI18n();
  const onChange = (event: Event) => {
    const value = (event.currentTarget as HTMLSelectElement).value;
    if (isLocale(value)) setLocale(value);
  };
  return (
    <div class="lang">
      <label for="lang-select">{t('lang.label')}</label>
      <select id="lang-select" value={locale} onChange={onChange}>
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {t(`lang.${code}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
