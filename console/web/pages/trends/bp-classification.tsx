import { useI18n } from '../../i18n/context.js';
import type { BpBandView, Range } from './chart-data.js';
import { formatNumber, labelOf, localLabel } from './labels.js';
import { BP_SCHEMES, BP_SETTINGS } from './trend-query.js';
import type { BpClassificationBody } from './trends-api.js';

function RangeText({ range }: { range: Range | null }) {
  const { t, locale } = useI18n();
  if (range === null) return <>{t('trends.band.notAlone')}</>;
  const from = formatNumber(locale, range.from);
  if (range.to === null) return <>{t('trends.band.atLeast', { from })}</>;
  return <>{t('trends.band.between', { from, to: formatNumber(locale, range.to) })}</>;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export function SchemePicker({
  scheme,
  setting,
  onChange,
}: {
  scheme: string;
  setting: string;
  onChange: (next: { bpScheme?: string; bpSetting?: string }) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <div class="inline-form">
      <label for="bp-scheme">{t('trends.class.scheme')}</label>
      <select
        id="bp-scheme"
        value={scheme}
        onChange={(e) => onChange({ bpScheme: (e.currentTarget as HTMLSelectElement).value })}
      >
        {BP_SCHEMES.map((s) => (
          <option key={s} value={s}>
            {labelOf(i18n, 'trends.scheme', s)}
          </option>
        ))}
      </select>
      <label for="bp-setting">{t('trends.class.setting')}</label>
      <select
        id="bp-setting"
        value={setting}
        onChange={(e) => onChange({ bpSetting: (e.currentTarget as HTMLSelectElement).value })}
      >
        {BP_SETTINGS.map((s) => (
          <option key={s} value={s}>
            {labelOf(i18n, 'trends.setting', s)}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The classification of the period's readings, with everything it rests on: the guideline and its
 * version, the setting, the readings used, the bands, and the API's disclaimer (never a diagnosis).
 */
export function BpClassificationCard({
  body,
  bands,
}: {
  body: BpClassificationBody;
  bands: readonly BpBandView[];
}) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const readings = num(body.inputs.readings_used);
  const occasions = num(body.inputs.occasions);
  const systolic = num(body.inputs.mean_systolic);
  const diastolic = num(body.inputs.mean_diastolic);
  return (
    <section class="card classification" aria-labelledby="bp-class-title" data-category={body.category}>
      <h3 id="bp-class-title" class="title">
        {t('trends.class.title')}
      </h3>
      <p class="category">{t('trends.class.result', { label: localLabel(locale, body) })}</p>
      <dl class="facts">
        <dt>{t('trends.class.scheme')}</dt>
        <dd>{labelOf(i18n, 'trends.scheme', body.scheme)}</dd>
        <dt>{t('trends.class.version')}</dt>
        <dd>{body.scheme_version}</dd>
        <dt>{t('trends.class.setting')}</dt>
        <dd>{labelOf(i18n, 'trends.setting', body.setting)}</dd>
        {readings !== undefined && occasions !== undefined && (
          <>
            <dt>{t('trends.class.inputs')}</dt>
            <dd>{t('trends.class.inputsText', { readings, occasions })}</dd>
          </>
        )}
        {systolic !== undefined && diastolic !== undefined && (
          <>
            <dt>{t('trends.class.mean')}</dt>
            <dd>
              {t('trends.class.meanText', {
                systolic: formatNumber(locale, systolic),
                diastolic: formatNumber(locale, diastolic),
              })}
            </dd>
          </>
        )}
      </dl>
      {bands.length > 0 && (
        <div class="table-scroll">
          <table class="bands-table">
            <caption>{t('trends.class.bands')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('trends.class.band')}</th>
                <th scope="col">{t('trends.class.systolic')}</th>
                <th scope="col">{t('trends.class.diastolic')}</th>
              </tr>
            </thead>
            <tbody>
              {bands.map((band) => (
                <tr key={band.code} data-code={band.code}>
                  <th scope="row">{localLabel(locale, band)}</th>
                  <td>
                    <RangeText range={band.systolic} />
                  </td>
                  <td>
                    <RangeText range={band.diastolic} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="disclaimer small">{locale === 'zh-CN' ? body.disclaimer['zh-CN'] : body.disclaimer.en}</p>
    </section>
  );
}
