import { useMemo } from 'preact/hooks';
import { hasCode } from '../../api/client.js';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import { bmiBands } from './chart-data.js';
import { formatNumber, labelOf, localLabel } from './labels.js';
import { BMI_SCHEMES, type TrendQuery } from './trend-query.js';
import { type BmiClassificationBody, queryOf } from './trends-api.js';

/** The BMI from the latest height and weight, its category and every band of the chosen scheme. */
export function BmiCard({
  account,
  scheme,
  go,
}: {
  account: string;
  scheme: string;
  go: (next: Partial<TrendQuery>) => void;
}) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const [bmi] = useResource<BmiClassificationBody>(`/v1/classifications/bmi?${queryOf({ account, scheme })}`);
  const body = bmi.status === 'ok' ? bmi.data : undefined;
  const bands = useMemo(
    () => (body === undefined ? [] : bmiBands(body.bands ?? body.thresholds?.bands ?? [])),
    [body],
  );
  const n = (v: number) => formatNumber(locale, v);
  const value = body?.bmi ?? body?.inputs?.bmi ?? null;
  const weight = body?.weight_kg ?? body?.inputs?.weight_kg;
  const height = body?.height_m ?? body?.inputs?.height_m;
  return (
    <section class="card classification" aria-labelledby="bmi-title">
      <h3 id="bmi-title" class="title">
        {t('trends.bmi.title')}
      </h3>
      <div class="inline-form">
        <label for="bmi-scheme">{t('trends.class.scheme')}</label>
        <select
          id="bmi-scheme"
          value={scheme}
          onChange={(e) => go({ bmiScheme: (e.currentTarget as HTMLSelectElement).value })}
        >
          {BMI_SCHEMES.map((s) => (
            <option key={s} value={s}>
              {labelOf(i18n, 'trends.scheme', s)}
            </option>
          ))}
        </select>
      </div>
      {bmi.status === 'error' && (
        <p class="muted">
          {hasCode(bmi.error, 'API_ERR_PROFILE_INCOMPLETE')
            ? t('trends.bmi.none')
            : t('trends.bmi.unavailable')}
        </p>
      )}
      {body !== undefined && (
        <div data-bands={JSON.stringify(bands.map((b) => ({ code: b.code, ...b.range })))}>
          <p class="category" data-category={body.category}>
            {value === null
              ? localLabel(locale, body)
              : t('trends.bmi.value', { bmi: n(value), label: localLabel(locale, body) })}
          </p>
          {weight !== undefined && height !== undefined && (
            <p class="muted small">
              {t('trends.bmi.inputs', {
                weight: n(weight),
                height: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(height),
              })}
            </p>
          )}
          {bands.length > 0 && (
            <div class="table-scroll">
              <table class="bands-table">
                <caption>{t('trends.class.bands')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('trends.class.band')}</th>
                    <th scope="col">{t('trends.bmi.range')}</th>
                  </tr>
                </thead>
                <tbody>
                  {bands.map((band) => (
                    <tr
                      key={band.code}
                      data-code={band.code}
                      class={band.code === body.category ? 'current' : undefined}
                    >
                      <th scope="row">{localLabel(locale, band)}</th>
                      <td>
                        {band.range.to === null
                          ? t('trends.band.atLeast', { from: n(band.range.from) })
                          : t('trends.band.between', { from: n(band.range.from), to: n(band.range.to) })}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="disclaimer small">{locale === 'zh-CN' ? body.disclaimer['zh-CN'] : body.disclaimer.en}</p>
        </div>
      )}
    </section>
  );
}
