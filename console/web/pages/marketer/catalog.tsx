import { useState } from 'preact/hooks';
import type { Trait } from '../../api/marketer-types.js';
import { useI18n } from '../../i18n/context.js';
import { methodLabel, sensitivityLabel, traitLabel, valueLabel } from './labels.js';

const SENSITIVITIES = ['none', 'usage', 'health'] as const;

/** The sensitivity as a badge whose text says it; colour only repeats the word (WCAG 1.4.1). */
export function SensitivityBadge({ sensitivity }: { sensitivity: string }) {
  const i18n = useI18n();
  return <span class={`badge sensitivity-${sensitivity}`}>{sensitivityLabel(i18n, sensitivity)}</span>;
}

/** The computed-trait catalog (issue 16 §3): every trait a segment can use, filterable by sensitivity and method. */
export function CatalogBrowser({ traits }: { traits: readonly Trait[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [sensitivity, setSensitivity] = useState('');
  const [method, setMethod] = useState('');
  const methods = [...new Set(traits.map((x) => x.method))];
  const shown = traits.filter(
    (x) => (sensitivity === '' || x.sensitivity === sensitivity) && (method === '' || x.method === method),
  );
  return (
    <section aria-labelledby="catalog-title" class="stack">
      <h2 id="catalog-title">{t('marketer.catalog.title')}</h2>
      <p>{t('marketer.catalog.intro')}</p>
      <div class="inline-form">
        <label for="catalog-sensitivity">{t('marketer.catalog.filterSensitivity')}</label>
        <select
          id="catalog-sensitivity"
          value={sensitivity}
          onChange={(e) => setSensitivity((e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">{t('marketer.catalog.all')}</option>
          {SENSITIVITIES.map((s) => (
            <option key={s} value={s}>
              {sensitivityLabel(i18n, s)}
            </option>
          ))}
        </select>
        <label for="catalog-method">{t('marketer.catalog.filterMethod')}</label>
        <select
          id="catalog-method"
          value={method}
          onChange={(e) => setMethod((e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">{t('marketer.catalog.all')}</option>
          {methods.map((m) => (
            <option key={m} value={m}>
              {methodLabel(i18n, m)}
            </option>
          ))}
        </select>
      </div>
      <p class="muted" role="status">
        {t('marketer.catalog.count', { shown: shown.length, total: traits.length })}
      </p>
      <ul class="cards" data-testid="trait-catalog">
        {shown.map((trait) => (
          <li key={trait.name} class="card trait-card" data-trait={trait.name}>
            <div>
              <h3 class="title">
                {traitLabel(i18n, trait)} <SensitivityBadge sensitivity={trait.sensitivity} />
              </h3>
              <p>
                <code>{trait.name}</code> · {t(`marketer.type.${trait.type}`)} ·{' '}
                {methodLabel(i18n, trait.method)}
                {' · '}
                {t(trait.refresh === 'batch' ? 'marketer.refresh.batch' : 'marketer.refresh.incremental')}
              </p>
              {trait.values !== undefined && (
                <p>
                  {t('marketer.catalog.values')} {i18n.list(trait.values.map((v) => valueLabel(i18n, v)))}
                </p>
              )}
              <p>{t('marketer.catalog.purpose', { purpose: trait.purpose })}</p>
              <details>
                <summary>{t('marketer.catalog.formula')}</summary>
                <p lang="en">{trait.formula}</p>
              </details>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
