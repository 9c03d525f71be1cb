import type { Preview } from '../../api/marketer-types.js';
import { useI18n } from '../../i18n/context.js';
import { SensitivityBadge } from './catalog.js';
import { countText, destinationLabel, isSuppressed, verdictLabel } from './labels.js';
import { DD, FACTS } from './styles.js';
import { TableScroll } from './table-scroll.js';

/**
 * A preview's answer: the size (a count below k arrives as `<100` and is shown exactly so), the people the
 * rule matches but consent excludes, and whether each destination kind may take the segment.
 */
export function PreviewCard({ preview, stale }: { preview: Preview; stale: boolean }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  return (
    <section class="card preview" aria-labelledby="preview-title" data-testid="preview">
      <div>
        <h3 id="preview-title" class="title">
          {t('marketer.preview.title')}
        </h3>
        {stale && <p class="muted">{t('marketer.preview.stale')}</p>}
        <dl style={FACTS}>
          <dt>{t('marketer.preview.size')}</dt>
          <dd style={DD}>
            <output data-testid="preview-size">{countText(locale, preview.size)}</output>
            {isSuppressed(preview.size) && (
              <span class="muted small"> {t('marketer.preview.suppressed')}</span>
            )}
          </dd>
          <dt>{t('marketer.preview.excluded')}</dt>
          <dd style={DD} data-testid="preview-excluded">
            {countText(locale, preview.excluded_by_consent)}
          </dd>
          <dt>{t('marketer.preview.sensitivity')}</dt>
          <dd style={DD}>
            <SensitivityBadge sensitivity={preview.max_sensitivity} />
          </dd>
          <dt>{t('marketer.preview.consents')}</dt>
          <dd style={DD}>{preview.consents.length === 0 ? '–' : i18n.list(preview.consents)}</dd>
        </dl>
        {preview.cached && <p class="muted small">{t('marketer.preview.cached')}</p>}
        <TableScroll label={t('marketer.preview.verdicts')}>
          <table class="trend-table" data-testid="verdicts">
            <caption>{t('marketer.preview.verdicts')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('marketer.preview.destination')}</th>
                <th scope="col">{t('marketer.preview.verdict')}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(preview.verdicts).map(([kind, v]) => (
                <tr key={kind} data-kind={kind}>
                  <th scope="row">{destinationLabel(i18n, kind)}</th>
                  <td>
                    {v.allowed ? t('marketer.preview.allowed') : t('marketer.preview.refused')}
                    {!v.allowed && <span class="muted small"> ({verdictLabel(i18n, v.reason)})</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </div>
    </section>
  );
}
