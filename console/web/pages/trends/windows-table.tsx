import { useState } from 'preact/hooks';
import type { I18n } from '../../i18n/context.js';
import { useI18n } from '../../i18n/context.js';
import { fieldLabel, formatNumber } from './labels.js';
import type { Trend, TrendWindow } from './trends-api.js';

/** A window's name: its civil date for a daily window (in its own zone), else its start. */
function windowName(i18n: I18n, trend: Trend, w: TrendWindow): string {
  const start = new Date(w.start);
  if (trend.window === 'PT1H') return i18n.date(w.start);
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' };
  if (w.time_zone !== undefined) options.timeZone = w.time_zone;
  return new Intl.DateTimeFormat(i18n.locale, options).format(start);
}

function Row({
  trend,
  w,
  fields,
  sourceName,
}: {
  trend: Trend;
  w: TrendWindow;
  fields: readonly string[];
  sourceName: (id: string) => string;
}) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const n = (v: number) => formatNumber(locale, v);
  return (
    <tr class={w.empty ? 'empty-window' : undefined} data-start={w.start}>
      <th scope="row">{windowName(i18n, trend, w)}</th>
      <td>{w.count}</td>
      <td>
        {new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(w.coverage)}
      </td>
      {fields.map((field) => {
        const s = w.values[field];
        return (
          <td key={field} data-field={field}>
            {s == null
              ? t('trends.table.empty')
              : t('trends.table.cell', { mean: n(s.mean), min: n(s.min), max: n(s.max) })}
          </td>
        );
      })}
      <td>{w.winning_source === null ? t('trends.table.none') : sourceName(w.winning_source)}</td>
      <td>
        {w.suppressed_sources.length === 0
          ? t('trends.table.none')
          : i18n.list(w.suppressed_sources.map(sourceName))}
      </td>
    </tr>
  );
}

/**
 * The numbers behind the chart as an accessible table: every window with its count, coverage, statistics
 * and the source that won it. Folded away by default, and only built when opened, because a year of
 * hourly windows is thousands of rows.
 */
export function WindowsTable({
  trend,
  fields,
  sourceName,
}: {
  trend: Trend;
  fields: readonly string[];
  sourceName: (id: string) => string;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [open, setOpen] = useState(false);
  return (
    <details class="trend-details" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{t('trends.table.show')}</summary>
      {open && (
        <div class="table-scroll">
          <table class="trend-table">
            <caption>{t('trends.table.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('trends.table.window')}</th>
                <th scope="col">{t('trends.table.count')}</th>
                <th scope="col">{t('trends.table.coverage')}</th>
                {fields.map((field) => (
                  <th scope="col" key={field}>
                    {t('trends.table.fieldHeader', {
                      field: fieldLabel(i18n, field),
                      unit: trend.units[field]?.display ?? '',
                    })}
                  </th>
                ))}
                <th scope="col">{t('trends.table.source')}</th>
                <th scope="col">{t('trends.table.suppressed')}</th>
              </tr>
            </thead>
            <tbody>
              {trend.windows.map((w) => (
                <Row key={w.start} trend={trend} w={w} fields={fields} sourceName={sourceName} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
